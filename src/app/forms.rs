//! Every form of the app: what fields it has, and how its values become a stored change.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::domain::calendar::{format_date, parse_date};
use crate::domain::region::parse_municipality;
use crate::domain::validate::{
    Agb, Iban, Pc4, check_percentages_sum, parse_amount, parse_email, parse_hours, parse_ion, parse_optional_text,
    parse_percentage, parse_required_text,
};
use crate::domain::{
    Agreement, AgreementId, AgreementKind, Coordinator, CoreTeam, Discipline, HoursEntryId, IonCount, Milestones,
    Network, NetworkId, NetworkStatus, Participant, ParticipantId, ParticipantKind, Partner, PartnerId, Practice,
    PracticeId, Region, TariffCategory, TariffTable, YearMonth,
};
use crate::store::{NewHours, StoreError};

use super::form::{Form, FormEvent};
use super::networks::{DetailItem, NetworksPane};
use super::undo::UndoOp;
use super::{Action, App, Mode};

/// Which date of an agreement a form sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementDate {
    Sent,
    Signed,
    Ended,
}

/// What a form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Network(Option<NetworkId>),
    CoreTeam(NetworkId),
    Practice(NetworkId, Option<PracticeId>),
    IonCount(NetworkId, PracticeId),
    /// The percentages of the practice team, with a practice waiting to be added or changed.
    Shares(NetworkId, Option<Box<Practice>>),
    Partner(NetworkId, Option<PartnerId>),
    Participant(NetworkId, Option<ParticipantId>),
    NewAgreement(Option<NetworkId>),
    AgreementDate(NetworkId, AgreementId, AgreementDate),
    Tariffs(Option<i32>),
    HoursLine {
        network: NetworkId,
        partner: PartnerId,
        month: YearMonth,
        line: Option<HoursEntryId>,
    },
    Invoice {
        network: NetworkId,
        partner: PartnerId,
        quarter: crate::domain::Quarter,
    },
    InvoiceDecision {
        invoice: Box<crate::domain::Invoice>,
        approve: bool,
    },
    /// A correction, in an open quarter, of a line of a closed one.
    Correction {
        line: Box<crate::domain::HoursEntry>,
    },
    Reopen {
        network: NetworkId,
        quarter: crate::domain::Quarter,
    },
    /// A user of `sidw serve` (admin).
    AddUser,
    /// The date a milestone was done (or the start of funding).
    MilestoneDate(NetworkId, crate::domain::milestones::MilestoneKind),
    /// A project plan of a network: new, or this one (found again by name and dates on saving).
    ProjectPlan(NetworkId, Option<Box<crate::domain::ProjectPlan>>),
    /// A municipality's S1 year: new (municipality typed in), or this municipality's.
    MunicipalYear(Option<&'static str>, i32),
    /// The S1 rate of a year (admin).
    S1Rate(i32),
}

impl FormKind {
    /// Forms opened from the milestones screen return to it.
    pub fn belongs_to_milestones(&self) -> bool {
        matches!(self, Self::MilestoneDate(..) | Self::ProjectPlan(..))
    }
}

impl FormKind {
    pub(super) fn for_detail_item(network: NetworkId, item: DetailItem, pane: &NetworksPane) -> Self {
        let detail = pane.detail.as_ref().expect("a detail item comes from a loaded detail");
        match item {
            DetailItem::Practice(i) => Self::Practice(network, Some(detail.team.practices[i].id)),
            DetailItem::Partner(i) => Self::Partner(network, Some(detail.partners[i].id)),
            DetailItem::Participant(i) => Self::Participant(network, Some(detail.participants[i].id)),
        }
    }
}

pub(super) fn opt_date(text: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() { Ok(None) } else { parse_date(text).map(Some) }
}

pub(super) fn show_date(date: Option<NaiveDate>) -> String {
    date.map(format_date).unwrap_or_default()
}

fn yes_no(text: &str) -> Result<bool, String> {
    match text.to_lowercase().as_str() {
        "j" | "ja" => Ok(true),
        "n" | "nee" | "" => Ok(false),
        _ => Err("antwoord j of n".into()),
    }
}

fn show_yes_no(value: bool) -> &'static str {
    if value { "j" } else { "n" }
}

pub(super) fn field<T>(
    parse: impl FnOnce(&str) -> Result<T, crate::domain::error::FieldError>,
) -> impl FnOnce(&str) -> Result<T, String> {
    move |text| parse(text).map_err(|e| e.message)
}

fn amount_text(amount: Decimal) -> String {
    crate::domain::money::format_decimal_comma(amount)
}

impl App {
    pub(super) fn open_form(&mut self, kind: FormKind) {
        match self.build_form(&kind) {
            Ok(form) => self.mode = Mode::Form(Box::new(form), kind),
            Err(error) => self.error(error.to_string()),
        }
    }

    pub(super) fn form_input(&mut self, mut form: Box<Form>, kind: FormKind, action: Action) {
        use super::key::{Key, KeyCode};
        let key = match action {
            Action::Save => Key::new(KeyCode::Enter),
            Action::Back => Key::new(KeyCode::Esc),
            Action::NextField => Key::new(KeyCode::Tab),
            Action::PreviousField => Key::new(KeyCode::BackTab),
            Action::Input(key) => key,
            _ => {
                self.mode = Mode::Form(form, kind);
                return;
            }
        };
        match form.input(key) {
            FormEvent::None => self.mode = Mode::Form(form, kind),
            FormEvent::Cancel if form.dirty => {
                self.mode = Mode::Confirm(super::Confirm {
                    title: "Invoer weggooien?".into(),
                    lines: vec![format!("{}: wat u typte is nog niet opgeslagen.", form.title)],
                    choices: vec![('j', "ja, weggooien"), ('n', "nee, terug naar het formulier")],
                    kind: super::ConfirmKind::DiscardForm(form, kind),
                });
            }
            FormEvent::Cancel => {
                self.info("Niets opgeslagen.");
                if kind.belongs_to_milestones() {
                    self.back_to_milestones();
                }
            }
            FormEvent::Submit => {
                form.clear_errors();
                match self.submit_form(&mut form, &kind) {
                    Ok(Some(next)) => self.open_form(next),
                    Ok(None) if kind.belongs_to_milestones() => self.back_to_milestones(),
                    Ok(None) => {}
                    Err(()) => self.mode = Mode::Form(form, kind),
                }
            }
        }
    }

    fn build_form(&self, kind: &FormKind) -> Result<Form, StoreError> {
        let store = &self.store;
        Ok(match kind {
            FormKind::Network(id) => {
                let n = match id {
                    Some(id) => Some(store.network(*id)?),
                    None => None,
                };
                let title = n.as_ref().map_or("Nieuw netwerk".to_string(), |n| format!("Netwerk {}", n.name));
                let get = |f: fn(&Network) -> String| n.as_ref().map(f).unwrap_or_default();
                Form::new(title)
                    .field("Naam", &get(|n| n.name.clone()), "")
                    .field("Regio", &get(|n| n.region.name().into()), "Zwolle, Flevoland of Hardenberg")
                    .field("Gemeente", &get(|n| n.municipality.clone()), "uit de gemeentetabel")
                    .field(
                        "Postcodes",
                        &get(|n| n.postcodes.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ")),
                        "PC4, bv. 8011 8012",
                    )
                    .field(
                        "Status",
                        &n.as_ref().map_or("intake".into(), |n| n.status.dutch_label().to_string()),
                        "intake, aanmelding, actief, gestopt",
                    )
                    .field("Kartrekker", &get(|n| n.coordinator.name.clone()), "")
                    .field("E-mail kartrekker", &get(|n| n.coordinator.email.clone()), "")
                    .field("Telefoon kartrekker", &get(|n| n.coordinator.phone.clone()), "")
                    .field("Wijkmanager", &get(|n| n.district_manager.clone()), "optioneel")
                    .field(
                        "GEZ/OWZ",
                        show_yes_no(n.as_ref().is_some_and(|n| n.former_gez_owz)),
                        "voormalig GEZ/OWZ: j/n",
                    )
                    .field("Start financiering", &get(|n| show_date(n.funding_start)), "dd-mm-jjjj")
                    .field("Einde financiering", &get(|n| show_date(n.funding_end)), "dd-mm-jjjj, leeg = loopt")
            }
            FormKind::CoreTeam(id) => {
                let n = store.network(*id)?;
                Form::new(format!("Wijkkernteam {}", n.name))
                    .field("Huisartsenpraktijk(en)", &n.core_team.gp_practices, "vertegenwoordiger")
                    .field("Sociaal domein", &n.core_team.social_domain, "vertegenwoordiger/manager")
                    .field("Wijkverpleging", &n.core_team.district_nursing, "vertegenwoordiger")
            }
            FormKind::Practice(network, id) => {
                let team = store.practice_team(*network)?;
                let p = id.and_then(|id| team.practices.iter().find(|p| p.id == id).cloned());
                let form = Form::new(p.as_ref().map_or("Nieuwe praktijk".into(), |p| format!("Praktijk {}", p.name)))
                    .field("Naam", &p.as_ref().map(|p| p.name.clone()).unwrap_or_default(), "")
                    .field("AGB-code", &p.as_ref().map(|p| p.agb.to_string()).unwrap_or_default(), "8 cijfers")
                    .field("IBAN", &p.as_ref().map(|p| p.iban.to_string()).unwrap_or_default(), "")
                    .field(
                        "Percentage",
                        &p.as_ref().map_or(if team.practices.is_empty() { "100".into() } else { String::new() }, |p| {
                            p.share_on(self.default_share_date(*network).unwrap_or(NaiveDate::MIN))
                                .normalize()
                                .to_string()
                                .replace('.', ",")
                        }),
                        "deel van het praktijkteamgeld; een nieuwe verdeling vraagt de datum",
                    );
                if p.is_none() {
                    let quarter_start = crate::domain::Quarter::of_date(self.today()).first_day();
                    form.field("ION", "", "ingeschrevenen op naam").field(
                        "Peildatum",
                        &format_date(quarter_start),
                        "dd-mm-jjjj",
                    )
                } else {
                    form
                }
            }
            FormKind::IonCount(network, practice) => {
                let team = store.practice_team(*network)?;
                let p = team
                    .practices
                    .iter()
                    .find(|p| p.id == *practice)
                    .ok_or_else(|| StoreError::NotFound(format!("praktijk {practice}")))?;
                let quarter_start = crate::domain::Quarter::of_date(self.today()).next().first_day();
                Form::new(format!("ION-telling {}", p.name)).field("ION", "", "ingeschrevenen op naam").field(
                    "Peildatum",
                    &format_date(quarter_start),
                    "geldt vanaf het kwartaal dat erna begint",
                )
            }
            FormKind::Shares(network, pending) => {
                let mut team = store.practice_team(*network)?;
                merge_pending(&mut team.practices, pending.as_deref());
                let from = self.default_share_date(*network)?;
                let mut form = Form::new("Verdeling praktijkteamgeld (samen precies 100 %)").field(
                    "Geldt vanaf",
                    &format_date(from),
                    "dd-mm-jjjj (telt per kwartaal)",
                );
                for p in &team.practices {
                    form = form.field(share_label(p), &p.share_on(from).normalize().to_string().replace('.', ","), "%");
                }
                form
            }
            FormKind::Partner(network, id) => {
                let p = match id {
                    Some(id) => Some(store.partner(*network, *id)?),
                    None => None,
                };
                Form::new(
                    p.as_ref()
                        .map_or("Nieuwe zorgverlener met declaratierecht".into(), |p| format!("Partner {}", p.name)),
                )
                .field("Naam", &p.as_ref().map(|p| p.name.clone()).unwrap_or_default(), "")
                .field(
                    "Discipline",
                    &p.as_ref().map(|p| p.discipline.dutch_label().to_string()).unwrap_or_default(),
                    "bv. fysiotherapeut, diëtist, apotheek",
                )
                .field(
                    "Tariefcategorie",
                    &p.as_ref().map(|p| p.category.letter().to_string()).unwrap_or_default(),
                    "A, B of C; leeg = volgens discipline",
                )
                .field("AGB-code", &p.as_ref().map(|p| p.agb.to_string()).unwrap_or_default(), "8 cijfers")
                .field("IBAN", &p.as_ref().map(|p| p.iban.to_string()).unwrap_or_default(), "")
                .field("E-mail", &p.as_ref().map(|p| p.email.clone()).unwrap_or_default(), "optioneel")
            }
            FormKind::Participant(network, id) => {
                let p = match id {
                    Some(id) => store.participants(*network)?.into_iter().find(|p| p.id == *id),
                    None => None,
                };
                Form::new(
                    p.as_ref()
                        .map_or("Nieuwe deelnemer zonder declaratierecht".into(), |p| format!("Deelnemer {}", p.name)),
                )
                .field("Naam", &p.as_ref().map(|p| p.name.clone()).unwrap_or_default(), "")
                .field(
                    "Soort",
                    &p.as_ref().map(|p| p.kind.dutch_label().to_string()).unwrap_or_default(),
                    "wijkverpleging, sociaal domein, buurtbewoner, overig",
                )
                .field(
                    "Contact",
                    &p.as_ref().map(|p| p.contact.clone()).unwrap_or_default(),
                    "optioneel",
                )
            }
            FormKind::NewAgreement(network) => {
                let name = match network {
                    Some(id) => store.network(*id)?.name,
                    None => String::new(),
                };
                Form::new("Nieuwe overeenkomst")
                    .field("Netwerk", &name, "naam van het netwerk")
                    .field("Soort", "zorgverlener", "praktijkteam, zorgverlener of wijknetwerk")
                    .field("Zorgverlener", "", "naam, bij soort zorgverlener")
                    .field("Verstuurd", &format_date(self.today()), "dd-mm-jjjj, leeg = nog niet")
            }
            FormKind::AgreementDate(_, _, which) => {
                let title = match which {
                    AgreementDate::Sent => "Overeenkomst verstuurd op",
                    AgreementDate::Signed => "Overeenkomst getekend retour op",
                    AgreementDate::Ended => "Overeenkomst beëindigd op",
                };
                Form::new(title).field("Datum", &format_date(self.today()), "dd-mm-jjjj")
            }
            FormKind::Tariffs(year) => {
                let table = match year {
                    Some(year) => self.tariff_book.for_year(*year).cloned().map_err(StoreError::from)?,
                    None => {
                        let last = self.tariff_book.years().last();
                        match last.and_then(|y| self.tariff_book.for_year(y).ok()) {
                            Some(t) => TariffTable { year: t.year + 1, ..t.clone() },
                            None => TariffTable::handbook_2025(),
                        }
                    }
                };
                let form = Form::new(if year.is_some() {
                    format!("Tarieven {}", table.year)
                } else {
                    "Nieuw tariefjaar".into()
                });
                let form = if year.is_none() { form.field("Jaar", &table.year.to_string(), "jjjj") } else { form };
                form.field("Praktijkteam per ION", &amount_text(table.practice_team_per_ion), "€ per jaar")
                    .field("Partners per ION", &amount_text(table.partner_per_ion), "€ per jaar")
                    .field("Uurtarief A", &amount_text(table.hourly_a), "medisch / WO")
                    .field("Uurtarief B", &amount_text(table.hourly_b), "paramedisch / HBO")
                    .field("Uurtarief C", &amount_text(table.hourly_c), "overig")
            }
            FormKind::Invoice { network, partner, quarter } => {
                let partner = store.partner(*network, *partner)?;
                Form::new(format!("Factuur {} — {quarter}", partner.name))
                    .field("Factuurnummer", "", "zoals op de factuur")
                    .field("Factuurdatum", &format_date(self.today()), "dd-mm-jjjj")
                    .field("Bedrag", "", "bv. 1.019,40")
                    .field("Ontvangen", &format_date(self.today()), "dd-mm-jjjj")
            }
            FormKind::InvoiceDecision { invoice, approve } => {
                let worth = store.invoiced_worth(invoice)?;
                let matched = crate::domain::invoice::match_invoice(invoice.amount, worth);
                // The verdict first: at 80 columns the end of a long title is cut.
                let title = format!(
                    "{}: {} · {} {} (uren {})",
                    if *approve { "Goedkeuren" } else { "Afwijzen" },
                    matched.dutch(),
                    invoice.number,
                    crate::domain::money::format_eur(invoice.amount),
                    crate::domain::money::format_eur(worth)
                );
                let hint =
                    if *approve && matched == crate::domain::InvoiceMatch::Klopt { "optioneel" } else { "verplicht" };
                Form::new(title).field("Reden", "", hint)
            }
            FormKind::Correction { line } => {
                let partner = store.partner(line.network, line.partner)?;
                let month = crate::domain::YearMonth::of_date(self.today());
                Form::new(format!(
                    "Correctie van {} uur {} — {}",
                    crate::domain::dutch::number(line.hours),
                    line.month.dutch_name(),
                    partner.name
                ))
                .field("Maand", &month.to_string(), "een open maand, bv. 2025-05")
                .field("Uren", "", "+ of −, bv. -1,5")
                .field("Activiteit", &format!("correctie {}", line.month.dutch_name()), "")
            }
            FormKind::MilestoneDate(..) | FormKind::ProjectPlan(..) => self.build_milestone_form(kind)?,
            FormKind::MunicipalYear(..) | FormKind::S1Rate(_) => self.build_municipal_form(kind)?,
            FormKind::AddUser => Form::new("Gebruiker toevoegen")
                .field("Naam", "", "inlognaam voor ssh")
                .field("Rol", "editor", "viewer, editor, finance of admin")
                .field("Sleutel", "", "de regel uit id_ed25519.pub"),
            FormKind::Reopen { network, quarter } => {
                let n = store.network(*network)?;
                Form::new(format!("Heropenen {quarter} van {} (de betaalbatch blijft bewaard)", n.name)).field(
                    "Reden",
                    "",
                    "verplicht, komt in het logboek",
                )
            }
            FormKind::HoursLine { network, partner, month, line } => {
                let partner = store.partner(*network, *partner)?;
                let existing = match line {
                    Some(id) => Some(store.hours_entry(*id)?),
                    None => None,
                };
                let form = Form::new(format!("Uren {} — {}", partner.name, month.dutch_name()))
                    .field(
                        "Uren",
                        &existing.as_ref().map(|l| l.hours.to_string().replace('.', ",")).unwrap_or_default(),
                        "bv. 1,5",
                    )
                    .field(
                        "Activiteit",
                        &existing.as_ref().map(|l| l.activity.clone()).unwrap_or_default(),
                        "optioneel",
                    )
                    .field(
                        "Betaald door praktijkteam",
                        show_yes_no(existing.as_ref().is_some_and(|l| l.paid_by_practice_team)),
                        "j/n",
                    );
                if partner.discipline.risks_double_funding() {
                    form.field(
                        "Toch uit € 1,15",
                        show_yes_no(existing.as_ref().is_some_and(|l| l.double_funding_confirmed)),
                        "j = bevestigd ondanks advies",
                    )
                } else {
                    form
                }
            }
        })
    }

    /// Saves the form. `Ok(Some(kind))` opens a follow-up form, `Ok(None)` is done, `Err` keeps
    /// the form open with its errors.
    fn submit_form(&mut self, form: &mut Form, kind: &FormKind) -> Result<Option<FormKind>, ()> {
        let outcome = self.save_form(form, kind);
        match outcome {
            Ok(Saved::Done(message)) => {
                self.info(message);
                self.reload();
                Ok(None)
            }
            Ok(Saved::Next(next)) => Ok(Some(next)),
            Ok(Saved::Stay) => Ok(None),
            Err(Refusal::Fields) => Err(()),
            Err(Refusal::Store(error)) => {
                form.error = Some(error.to_string());
                Err(())
            }
        }
    }

    fn save_form(&mut self, form: &mut Form, kind: &FormKind) -> Result<Saved, Refusal> {
        let ctx = self.ctx();
        let store = self.store.clone();
        match kind {
            FormKind::Network(id) => {
                let name = form.parse("Naam", field(|t| parse_required_text("naam", t, 80)));
                let region = form.parse("Regio", field(Region::parse));
                let municipality = form.parse("Gemeente", field(parse_municipality));
                let postcodes = form.parse("Postcodes", field(Pc4::parse_list));
                let status = form.parse("Status", field(NetworkStatus::parse));
                let coordinator = form.parse("Kartrekker", field(|t| parse_optional_text("kartrekker", t, 80)));
                let email = form.parse("E-mail kartrekker", field(parse_email));
                let phone = form.parse("Telefoon kartrekker", field(|t| parse_optional_text("telefoon", t, 30)));
                let manager = form.parse("Wijkmanager", field(|t| parse_optional_text("wijkmanager", t, 80)));
                let gez = form.parse("GEZ/OWZ", yes_no);
                let start = form.parse("Start financiering", opt_date);
                let end = form.parse("Einde financiering", opt_date);
                let (
                    Some(name),
                    Some(region),
                    Some(municipality),
                    Some(postcodes),
                    Some(status),
                    Some(coordinator),
                    Some(email),
                    Some(phone),
                    Some(manager),
                    Some(gez),
                    Some(start),
                    Some(end),
                ) = (
                    name,
                    region,
                    municipality,
                    postcodes,
                    status,
                    coordinator,
                    email,
                    phone,
                    manager,
                    gez,
                    start,
                    end,
                )
                else {
                    return Err(Refusal::Fields);
                };
                let before = match id {
                    Some(id) => Some(store.network(*id)?),
                    None => None,
                };
                let network = Network {
                    id: id.unwrap_or(NetworkId(0)),
                    name,
                    region,
                    municipality: municipality.to_string(),
                    postcodes,
                    status,
                    coordinator: Coordinator { name: coordinator, email, phone },
                    district_manager: manager,
                    core_team: before.as_ref().map(|n| n.core_team.clone()).unwrap_or_default(),
                    former_gez_owz: gez,
                    funding_start: start,
                    funding_end: end,
                    milestones: before
                        .as_ref()
                        .map(|n| Milestones {
                            // A start typed in is set; one left as derived keeps following the agreement.
                            funding_start_derived: n.milestones.funding_start_derived && n.funding_start == start,
                            ..n.milestones.clone()
                        })
                        .unwrap_or_default(),
                };
                match before {
                    Some(before) => {
                        let after = store.update_network(&ctx, &network)?;
                        self.push_network_undo(before, after);
                        Ok(Saved::Done(format!("Netwerk {} opgeslagen.", network.name)))
                    }
                    None => {
                        let id = store.create_network(&ctx, &network)?;
                        self.push_undo(UndoOp::Created("netwerk"));
                        self.reload();
                        self.networks.select(id);
                        Ok(Saved::Done(format!("Netwerk {} aangemaakt. Voeg praktijken toe met p.", network.name)))
                    }
                }
            }
            FormKind::CoreTeam(id) => {
                let before = store.network(*id)?;
                let core_team = CoreTeam {
                    gp_practices: form
                        .parse("Huisartsenpraktijk(en)", field(|t| parse_optional_text("huisartsen", t, 120)))
                        .ok_or(Refusal::Fields)?,
                    social_domain: form
                        .parse("Sociaal domein", field(|t| parse_optional_text("sociaal domein", t, 120)))
                        .ok_or(Refusal::Fields)?,
                    district_nursing: form
                        .parse("Wijkverpleging", field(|t| parse_optional_text("wijkverpleging", t, 120)))
                        .ok_or(Refusal::Fields)?,
                };
                let after = store.update_network(&ctx, &Network { core_team, ..before.clone() })?;
                self.push_network_undo(before, after);
                Ok(Saved::Done("Wijkkernteam opgeslagen.".into()))
            }
            FormKind::Practice(network, id) => {
                let before = store.practice_team(*network)?;
                let name = form.parse("Naam", field(|t| parse_required_text("naam", t, 80)));
                let agb = form.parse("AGB-code", field(Agb::parse));
                let iban = form.parse("IBAN", field(Iban::parse));
                let share = form.parse("Percentage", field(parse_percentage));
                let counts = if id.is_none() {
                    let ion = form.parse("ION", field(parse_ion));
                    let date = form.parse("Peildatum", parse_date);
                    match (ion, date) {
                        (Some(count), Some(reference_date)) => Some(vec![IonCount { reference_date, count }]),
                        _ => None,
                    }
                } else {
                    before.practices.iter().find(|p| Some(p.id) == *id).map(|p| p.ion_counts.clone())
                };
                let (Some(name), Some(agb), Some(iban), Some(share), Some(ion_counts)) =
                    (name, agb, iban, share, counts)
                else {
                    return Err(Refusal::Fields);
                };
                // The percentage applies from the split form's date; when the team's split does
                // not stay whole with it, the split form asks the others and the date.
                let from = self.default_share_date(*network)?;
                let shares = before.practices.iter().find(|p| Some(p.id) == *id).map(|p| p.shares.clone());
                let mut practice = Practice {
                    id: id.unwrap_or(PracticeId(0)),
                    name,
                    agb,
                    iban,
                    shares: shares.unwrap_or_default(),
                    ion_counts,
                };
                if practice.share_on(from) != share || practice.shares.is_empty() {
                    practice.set_share(from, share);
                }
                let mut team = before.clone();
                merge_pending(&mut team.practices, Some(&practice));
                if team.validate().is_err() {
                    self.warn("De percentages tellen niet op tot 100 %: pas de verdeling aan en sla op met Enter.");
                    return Ok(Saved::Next(FormKind::Shares(*network, Some(Box::new(practice)))));
                }
                store.save_practice_team(&ctx, &team)?;
                self.push_undo(UndoOp::Team(before));
                Ok(Saved::Done(format!("Praktijk {} opgeslagen.", practice.name)))
            }
            FormKind::IonCount(network, practice) => {
                let before = store.practice_team(*network)?;
                let count = form.parse("ION", field(parse_ion));
                let date = form.parse("Peildatum", parse_date);
                let (Some(count), Some(reference_date)) = (count, date) else { return Err(Refusal::Fields) };
                let mut team = before.clone();
                let p = team
                    .practices
                    .iter_mut()
                    .find(|p| p.id == *practice)
                    .ok_or_else(|| StoreError::NotFound(format!("praktijk {practice}")))?;
                p.ion_counts.retain(|c| c.reference_date != reference_date);
                p.ion_counts.push(IonCount { reference_date, count });
                p.ion_counts.sort();
                store.save_practice_team(&ctx, &team)?;
                self.push_undo(UndoOp::Team(before));
                Ok(Saved::Done(format!("ION-telling {count} per {} opgeslagen.", format_date(reference_date))))
            }
            FormKind::Shares(network, pending) => {
                let before = store.practice_team(*network)?;
                let mut team = before.clone();
                merge_pending(&mut team.practices, pending.as_deref());
                let from = form.parse("Geldt vanaf", parse_date);
                let mut shares = Vec::with_capacity(team.practices.len());
                for practice in &mut team.practices {
                    // The waiting practice's percentage is in this form: its stored history counts.
                    practice.shares =
                        before.practices.iter().find(|p| p.id == practice.id).map_or(Vec::new(), |p| p.shares.clone());
                    shares.push(form.parse(&share_label(practice), field(parse_percentage)));
                }
                let (Some(from), Some(shares)) = (from, shares.into_iter().collect::<Option<Vec<Decimal>>>()) else {
                    return Err(Refusal::Fields);
                };
                if let Err(error) = check_percentages_sum(&shares) {
                    form.error = Some(error.message);
                    return Err(Refusal::Fields);
                }
                for (practice, share) in team.practices.iter_mut().zip(shares) {
                    if practice.share_on(from) != share {
                        practice.set_share(from, share);
                    }
                }
                if let Err(error) = team.validate() {
                    form.error = Some(error.to_string());
                    return Err(Refusal::Fields);
                }
                store.save_practice_team(&ctx, &team)?;
                self.push_undo(UndoOp::Team(before));
                Ok(Saved::Done("Praktijkteam en verdeling opgeslagen.".into()))
            }
            FormKind::Partner(network, id) => {
                let name = form.parse("Naam", field(|t| parse_required_text("naam", t, 80)));
                let discipline = form.parse("Discipline", field(Discipline::parse));
                let category = form.parse("Tariefcategorie", |t| {
                    if t.is_empty() { Ok(None) } else { TariffCategory::parse(t).map(Some).map_err(|e| e.message) }
                });
                let agb = form.parse("AGB-code", field(Agb::parse));
                let iban = form.parse("IBAN", field(Iban::parse));
                let email = form.parse("E-mail", field(parse_email));
                let (Some(name), Some(discipline), Some(category), Some(agb), Some(iban), Some(email)) =
                    (name, discipline, category, agb, iban, email)
                else {
                    return Err(Refusal::Fields);
                };
                let partner = Partner {
                    id: id.unwrap_or(PartnerId(0)),
                    network: *network,
                    name,
                    discipline,
                    category: category.unwrap_or(discipline.usual_category()),
                    agb,
                    iban,
                    email,
                };
                match id {
                    Some(id) => {
                        let before = store.partner(*network, *id)?;
                        store.update_partner(&ctx, &partner)?;
                        self.push_undo(UndoOp::Partner(before));
                    }
                    None => {
                        store.add_partner(&ctx, &partner)?;
                        self.push_undo(UndoOp::Created("partner"));
                    }
                }
                let warning = if partner.discipline.risks_double_funding() {
                    " Let op: het handboek raadt af een apotheek of sportcoach uit de € 1,15 te betalen."
                } else {
                    ""
                };
                Ok(Saved::Done(format!(
                    "Partner {} opgeslagen (categorie {}).{warning}",
                    partner.name,
                    partner.category.letter()
                )))
            }
            FormKind::Participant(network, id) => {
                let name = form.parse("Naam", field(|t| parse_required_text("naam", t, 80)));
                let kind = form.parse("Soort", field(ParticipantKind::parse));
                let contact = form.parse("Contact", field(|t| parse_optional_text("contact", t, 200)));
                let (Some(name), Some(kind), Some(contact)) = (name, kind, contact) else {
                    return Err(Refusal::Fields);
                };
                let participant =
                    Participant { id: id.unwrap_or(ParticipantId(0)), network: *network, name, kind, contact };
                match id {
                    Some(id) => {
                        let before = store
                            .participants(*network)?
                            .into_iter()
                            .find(|p| p.id == *id)
                            .ok_or_else(|| StoreError::NotFound(format!("deelnemer {id}")))?;
                        store.update_participant(&ctx, &participant)?;
                        self.push_undo(UndoOp::Participant(before));
                    }
                    None => {
                        store.add_participant(&ctx, &participant)?;
                        self.push_undo(UndoOp::Created("deelnemer"));
                    }
                }
                Ok(Saved::Done(format!("Deelnemer {} opgeslagen.", participant.name)))
            }
            FormKind::NewAgreement(_) => {
                let network = form.parse("Netwerk", |t| match store.network_by_name(t) {
                    Ok(Some(n)) => Ok(n),
                    Ok(None) => Err(format!("geen netwerk '{t}'")),
                    Err(e) => Err(e.to_string()),
                });
                let kind = form.parse("Soort", |t| match t.to_lowercase().as_str() {
                    "praktijkteam" => Ok(AgreementKind::PracticeTeam),
                    "zorgverlener" | "partner" => Ok(AgreementKind::Partner),
                    "wijknetwerk" => Ok(AgreementKind::Network),
                    _ => Err("kies praktijkteam, zorgverlener of wijknetwerk".into()),
                });
                let sent = form.parse("Verstuurd", opt_date);
                let (Some(network), Some(kind), Some(sent)) = (network, kind, sent) else {
                    return Err(Refusal::Fields);
                };
                let partner = if kind == AgreementKind::Partner {
                    let partners = store.partners(network.id)?;
                    let partner = form.parse("Zorgverlener", |t| {
                        partners
                            .iter()
                            .find(|p| p.name.eq_ignore_ascii_case(t))
                            .map(|p| p.id)
                            .ok_or_else(|| format!("geen zorgverlener '{t}' in {}", network.name))
                    });
                    Some(partner.ok_or(Refusal::Fields)?)
                } else {
                    None
                };
                let agreement = Agreement {
                    id: AgreementId(0),
                    network: network.id,
                    kind,
                    partner,
                    sent,
                    signed: None,
                    ended: None,
                };
                store.add_agreement(&ctx, &agreement)?;
                self.push_undo(UndoOp::Created("overeenkomst"));
                Ok(Saved::Done(format!("Overeenkomst {} voor {} aangemaakt.", kind.dutch_label(), network.name)))
            }
            FormKind::AgreementDate(network, id, which) => {
                let date = form.parse("Datum", parse_date).ok_or(Refusal::Fields)?;
                let before = store
                    .agreements(*network)?
                    .into_iter()
                    .find(|a| a.id == *id)
                    .ok_or_else(|| StoreError::NotFound(format!("overeenkomst {id}")))?;
                let mut agreement = before.clone();
                match which {
                    AgreementDate::Sent => agreement.sent = Some(date),
                    AgreementDate::Signed => agreement.signed = Some(date),
                    AgreementDate::Ended => agreement.ended = Some(date),
                }
                if let Err(error) = agreement.validate() {
                    form.set_error("Datum", error.message);
                    return Err(Refusal::Fields);
                }
                store.update_agreement(&ctx, &agreement)?;
                self.push_undo(UndoOp::Agreement(before));
                Ok(Saved::Done("Overeenkomst bijgewerkt.".into()))
            }
            FormKind::Tariffs(year) => {
                let year = match year {
                    Some(year) => Some(*year),
                    None => form.parse("Jaar", |t| {
                        t.parse::<i32>()
                            .ok()
                            .filter(|y| crate::domain::calendar::YEARS.contains(y))
                            .ok_or_else(|| "een jaar van 2000 tot 2100".to_string())
                    }),
                };
                let rates: Vec<Option<Decimal>> =
                    ["Praktijkteam per ION", "Partners per ION", "Uurtarief A", "Uurtarief B", "Uurtarief C"]
                        .iter()
                        .map(|label| form.parse(label, field(parse_amount)))
                        .collect();
                let (Some(year), [Some(pt), Some(partner), Some(a), Some(b), Some(c)]) = (year, rates.as_slice())
                else {
                    return Err(Refusal::Fields);
                };
                let table = TariffTable {
                    year,
                    practice_team_per_ion: *pt,
                    partner_per_ion: *partner,
                    hourly_a: *a,
                    hourly_b: *b,
                    hourly_c: *c,
                };
                if let Err(error) = table.validate() {
                    form.error = Some(error.to_string());
                    return Err(Refusal::Fields);
                }
                let before = self.tariff_book.for_year(year).ok().cloned();
                store.save_tariffs(&ctx, &table)?;
                self.push_undo(before.map_or(UndoOp::Created("tariefjaar"), UndoOp::Tariffs));
                Ok(Saved::Done(format!("Tarieven {year} opgeslagen.")))
            }
            FormKind::Invoice { network, partner, quarter } => {
                let number = form.parse("Factuurnummer", field(|t| parse_required_text("factuurnummer", t, 35)));
                let date = form.parse("Factuurdatum", parse_date);
                let amount = form.parse("Bedrag", field(parse_amount));
                let received = form.parse("Ontvangen", opt_date);
                let (Some(number), Some(date), Some(amount), Some(received)) = (number, date, amount, received) else {
                    return Err(Refusal::Fields);
                };
                let invoice = crate::domain::Invoice {
                    id: crate::domain::InvoiceId(0),
                    network: *network,
                    partner: *partner,
                    quarter: *quarter,
                    number,
                    date,
                    amount,
                    received,
                    decision: crate::domain::InvoiceDecision::Open,
                };
                if let Err(error) = invoice.validate() {
                    form.set_error(if error.field == "bedrag" { "Bedrag" } else { "Ontvangen" }, error.message);
                    return Err(Refusal::Fields);
                }
                let saved = store.add_invoice(&ctx, &invoice)?;
                self.push_undo(UndoOp::Created("factuur"));
                let worth = store.invoiced_worth(&saved)?;
                let matched = crate::domain::invoice::match_invoice(saved.amount, worth);
                let hours = crate::domain::money::format_eur(worth);
                Ok(Saved::Done(format!(
                    "Factuur {} vastgelegd: {} (urenformulier {hours}).",
                    saved.number,
                    matched.dutch()
                )))
            }
            FormKind::InvoiceDecision { invoice, approve } => {
                let reason = form.get("Reden");
                match store.decide_invoice(&ctx, invoice.network, invoice.id, *approve, &reason) {
                    Ok(_) => {
                        let what = if *approve { "goedgekeurd" } else { "afgewezen" };
                        Ok(Saved::Done(format!("Factuur {} {what}.", invoice.number)))
                    }
                    Err(StoreError::Rule(crate::domain::DomainError::Field(error))) => {
                        form.set_error("Reden", error.message);
                        Err(Refusal::Fields)
                    }
                    Err(error) => Err(error.into()),
                }
            }
            FormKind::Correction { line } => {
                let month = form.parse("Maand", crate::domain::YearMonth::parse);
                let hours = form.parse("Uren", |t| {
                    crate::domain::validate::parse_decimal(t)
                        .and_then(|h| crate::domain::validate::check_correction_hours(h).map_err(|e| e.message))
                });
                let activity = form.parse("Activiteit", field(|t| parse_optional_text("activiteit", t, 200)));
                let (Some(month), Some(hours), Some(activity)) = (month, hours, activity) else {
                    return Err(Refusal::Fields);
                };
                let new = NewHours {
                    network: line.network,
                    partner: line.partner,
                    month,
                    hours,
                    activity,
                    paid_by_practice_team: line.paid_by_practice_team,
                    double_funding_confirmed: line.double_funding_confirmed,
                    corrects: Some(line.id),
                };
                let cell = (new.network, new.partner, new.month);
                match self.change_cell(cell, |store| store.add_hours(&ctx, &new)) {
                    Ok(_) => {}
                    Err(StoreError::QuarterClosed { .. }) => {
                        form.set_error("Maand", "die maand valt in een afgesloten kwartaal; kies een open maand");
                        return Err(Refusal::Fields);
                    }
                    Err(other) => return Err(other.into()),
                };
                Ok(Saved::Done(format!(
                    "Correctie van {} uur vastgelegd in {}.",
                    crate::domain::dutch::number(hours),
                    month.dutch_name()
                )))
            }
            FormKind::MilestoneDate(..) | FormKind::ProjectPlan(..) => self.save_milestone_form(form, kind),
            FormKind::MunicipalYear(..) | FormKind::S1Rate(_) => self.save_municipal_form(form, kind),
            FormKind::AddUser => {
                let line =
                    format!("{} {} {}", form.get("Naam").trim(), form.get("Rol").trim(), form.get("Sleutel").trim());
                let user = match crate::users::check_line(&line) {
                    Ok(user) => user,
                    Err(problem) => {
                        let field = if problem.contains("rol") {
                            "Rol"
                        } else if problem.contains("gebruikersnaam") {
                            "Naam"
                        } else {
                            "Sleutel"
                        };
                        form.set_error(field, problem);
                        return Err(Refusal::Fields);
                    }
                };
                let Some(path) = self.users_file.clone() else {
                    return Err(Refusal::Store(StoreError::Refused("geen gebruikersbestand".into())));
                };
                self.files.append_user(&line).map_err(|e| Refusal::Store(StoreError::Refused(e)))?;
                store.record_event(
                    &ctx,
                    "gebruiker toegevoegd",
                    &format!("{} ({})", user.name, user.role.name()),
                    &path.display().to_string(),
                )?;
                Ok(Saved::Done(format!(
                    "{} ({}) kan inloggen met ssh (binnen een seconde van kracht).",
                    user.name,
                    user.role.name()
                )))
            }
            FormKind::Reopen { network, quarter } => {
                let reason = form.get("Reden");
                match store.reopen_quarter(&ctx, *network, *quarter, &reason) {
                    Ok(()) => Ok(Saved::Done(format!("{quarter} heropend; de eerdere betaalbatch blijft bewaard."))),
                    Err(StoreError::Rule(crate::domain::DomainError::Field(error))) => {
                        form.set_error("Reden", error.message);
                        Err(Refusal::Fields)
                    }
                    Err(error) => Err(error.into()),
                }
            }
            FormKind::HoursLine { network, partner, month, line } => {
                let hours = form.parse("Uren", field(parse_hours));
                let activity = form.parse("Activiteit", field(|t| parse_optional_text("activiteit", t, 200)));
                let by_team = form.parse("Betaald door praktijkteam", yes_no);
                let confirmed = if form.fields.iter().any(|f| f.label == "Toch uit € 1,15") {
                    form.parse("Toch uit € 1,15", yes_no)
                } else {
                    Some(false)
                };
                let (Some(hours), Some(activity), Some(paid_by_practice_team), Some(double_funding_confirmed)) =
                    (hours, activity, by_team, confirmed)
                else {
                    return Err(Refusal::Fields);
                };
                match line {
                    Some(id) => {
                        let before = store.hours_entry(*id)?;
                        let changed = crate::domain::HoursEntry {
                            hours,
                            activity,
                            paid_by_practice_team,
                            double_funding_confirmed,
                            ..before.clone()
                        };
                        self.change_cell((before.network, before.partner, before.month), |store| {
                            store.update_hours(&ctx, &changed)
                        })
                        .map_err(|e| hours_refusal(form, e))?;
                    }
                    None => {
                        let new = NewHours {
                            network: *network,
                            partner: *partner,
                            month: *month,
                            hours,
                            activity,
                            paid_by_practice_team,
                            double_funding_confirmed,
                            corrects: None,
                        };
                        self.change_cell((new.network, new.partner, new.month), |store| store.add_hours(&ctx, &new))
                            .map_err(|e| hours_refusal(form, e))?;
                    }
                }
                self.mode = Mode::Lines;
                self.reload();
                self.info(format!("Uren {} opgeslagen.", month.dutch_name()));
                Ok(Saved::Stay)
            }
        }
    }
}

impl App {
    /// The date the split form offers for a new split: the first day of the current quarter, or
    /// of the first quarter after the network's last closed one when that is later (a closed
    /// quarter keeps its split). A team without shares yet starts with the network's funding.
    fn default_share_date(&self, network: NetworkId) -> Result<NaiveDate, StoreError> {
        let store = self.store();
        let today = crate::domain::Quarter::of_date(self.today());
        let start = if store.practice_team(network)?.share_dates().is_empty() {
            store.network(network)?.funding_start.map_or(today, crate::domain::Quarter::of_date).min(today)
        } else {
            today
        };
        store.first_open_share_date(network, start)
    }
}

/// A practice's field in the split form: name and AGB code, unique even when names repeat.
fn share_label(practice: &Practice) -> String {
    format!("{} ({})", practice.name, practice.agb)
}

/// Puts a refused hours save at the field that can fix it.
fn hours_refusal(form: &mut Form, error: StoreError) -> Refusal {
    use crate::domain::DomainError;
    match &error {
        StoreError::Rule(DomainError::OverBudget { .. }) => {
            form.set_error("Betaald door praktijkteam", format!("{error}; zet hier j"))
        }
        StoreError::Rule(DomainError::DoubleFundingNotConfirmed { .. }) => {
            form.set_error("Toch uit € 1,15", error.to_string())
        }
        _ => form.error = Some(error.to_string()),
    }
    Refusal::Fields
}

/// Adds the pending practice to the list, or puts it in place of the one with its id.
fn merge_pending(practices: &mut Vec<Practice>, pending: Option<&Practice>) {
    let Some(pending) = pending else { return };
    match practices.iter_mut().find(|p| p.id == pending.id && pending.id.0 != 0) {
        Some(existing) => *existing = pending.clone(),
        None => practices.push(pending.clone()),
    }
}

pub(super) enum Saved {
    Done(String),
    Next(FormKind),
    /// Saved; the handler has set the mode and message itself.
    Stay,
}

pub(super) enum Refusal {
    /// Field errors are in the form.
    Fields,
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}
