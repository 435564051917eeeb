//! A network: new, or this one.

use crate::domain::municipality_list::MunicipalityList;
use crate::domain::validate::{Pc4, parse_email, parse_optional_text, parse_required_text};
use crate::domain::{Coordinator, Milestones, Network, NetworkId, NetworkStatus, Region};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, field, opt_date, show_date, show_yes_no, yes_no};

form_fields! {
    pub(super) enum NetworkField {
        Name => "Naam",
        Region => "Regio",
        Municipality => "Gemeente",
        Postcodes => "Postcodes",
        Status => "Status",
        Coordinator => "Kartrekker",
        Email => "E-mail kartrekker",
        Phone => "Telefoon kartrekker",
        Manager => "Wijkmanager",
        FormerGezOwz => "GEZ/OWZ",
        FundingStart => "Start financiering",
        FundingEnd => "Einde financiering",
    }
}

pub(super) struct NetworkForm {
    pub id: Option<NetworkId>,
}

/// What the form reads: the network's own fields, without its id, core team and milestones.
struct Typed {
    name: String,
    region: Region,
    municipality: String,
    postcodes: Vec<Pc4>,
    status: NetworkStatus,
    coordinator: Coordinator,
    manager: String,
    former_gez_owz: bool,
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
}

impl FormSpec for NetworkForm {
    type Field = NetworkField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use NetworkField as F;
        let n = match self.id {
            Some(id) => Some(app.store.network(id)?),
            None => None,
        };
        let title = n.as_ref().map_or("Nieuw netwerk".to_string(), |n| format!("Netwerk {}", n.name));
        let get = |f: fn(&Network) -> String| n.as_ref().map(f).unwrap_or_default();
        let postcodes = get(|n| n.postcodes.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" "));
        let status = n.as_ref().map_or("intake".into(), |n| n.status.dutch_label().to_string());
        Ok(Form::new(title)
            .field(F::Name, &get(|n| n.name.clone()), "")
            .field(F::Region, &get(|n| n.region.name().into()), "Zwolle, Flevoland of Hardenberg")
            .field(F::Municipality, &get(|n| n.municipality.clone()), "een gemeente van de regio")
            .field(F::Postcodes, &postcodes, "PC4, bv. 8011 8012")
            .field(F::Status, &status, "intake, aanmelding, actief, gestopt")
            .field(F::Coordinator, &get(|n| n.coordinator.name.clone()), "")
            .field(F::Email, &get(|n| n.coordinator.email.clone()), "")
            .field(F::Phone, &get(|n| n.coordinator.phone.clone()), "")
            .field(F::Manager, &get(|n| n.district_manager.clone()), "optioneel")
            .field(F::FormerGezOwz, show_yes_no(n.as_ref().is_some_and(|n| n.former_gez_owz)), "voormalig GEZ/OWZ: j/n")
            .field(F::FundingStart, &get(|n| show_date(n.funding_start)), "dd-mm-jjjj")
            .field(F::FundingEnd, &get(|n| show_date(n.funding_end)), "dd-mm-jjjj, leeg = loopt"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, NetworkField>) -> Result<Saved, Refusal<NetworkField>> {
        let store = app.store.clone();
        let before = match self.id {
            Some(id) => Some(store.network(id)?),
            None => None,
        };
        let typed = read(form, &store.municipality_list()?, before.as_ref()).ok_or(Refusal::Fields)?;
        let ctx = app.ctx();
        let network = Network {
            id: self.id.unwrap_or(NetworkId(0)),
            name: typed.name,
            region: typed.region,
            municipality: typed.municipality,
            postcodes: typed.postcodes,
            status: typed.status,
            coordinator: typed.coordinator,
            district_manager: typed.manager,
            core_team: before.as_ref().map(|n| n.core_team.clone()).unwrap_or_default(),
            former_gez_owz: typed.former_gez_owz,
            funding_start: typed.start,
            funding_end: typed.end,
            milestones: before
                .as_ref()
                .map(|n| Milestones {
                    // A start typed in is set; one left as derived keeps following the agreement.
                    funding_start_derived: n.milestones.funding_start_derived && n.funding_start == typed.start,
                    ..n.milestones.clone()
                })
                .unwrap_or_default(),
        };
        match before {
            Some(before) => {
                let after = store.update_network(&ctx, &network)?;
                app.push_network_undo(before, after);
                Ok(Saved::Done(format!("Netwerk {} opgeslagen.", network.name)))
            }
            None => {
                let id = store.create_network(&ctx, &network)?;
                app.push_undo(UndoOp::Created("netwerk"));
                app.reload();
                app.networks.select(id);
                Ok(Saved::Done(format!("Netwerk {} aangemaakt. Voeg praktijken toe met p.", network.name)))
            }
        }
    }
}

/// Reads every field (each error at its field); `None` when one is refused. The municipality is one
/// of the network's region (the list's rule, as the store applies it; a network that already lay
/// where it lies keeps its municipality).
fn read(form: &mut Fields<'_, NetworkField>, list: &MunicipalityList, before: Option<&Network>) -> Option<Typed> {
    use NetworkField as F;
    let name = form.read(F::Name, field(|t| parse_required_text("naam", t, 80)));
    let region = form.read(F::Region, field(Region::parse));
    let unmoved = |t: &str| {
        before.is_some_and(|b| {
            region.is_some_and(|r| r == b.region) && b.municipality.trim().eq_ignore_ascii_case(t.trim())
        })
    };
    let municipality = form.read(
        F::Municipality,
        field(|t| match region {
            Some(_) if unmoved(t) => list.find(t).map(|m| m.name.clone()),
            Some(region) => list.for_network(region, t).map(|m| m.name.clone()),
            None => list.find(t).map(|m| m.name.clone()),
        }),
    );
    let postcodes = form.read(F::Postcodes, field(Pc4::parse_list));
    let status = form.read(F::Status, field(NetworkStatus::parse));
    let coordinator = form.read(F::Coordinator, field(|t| parse_optional_text("kartrekker", t, 80)));
    let email = form.read(F::Email, field(parse_email));
    let phone = form.read(F::Phone, field(|t| parse_optional_text("telefoon", t, 30)));
    let manager = form.read(F::Manager, field(|t| parse_optional_text("wijkmanager", t, 80)));
    let gez = form.read(F::FormerGezOwz, yes_no);
    let start = form.read(F::FundingStart, opt_date);
    let end = form.read(F::FundingEnd, opt_date);
    Some(Typed {
        name: name?,
        region: region?,
        municipality: municipality?,
        postcodes: postcodes?,
        status: status?,
        coordinator: Coordinator { name: coordinator?, email: email?, phone: phone? },
        manager: manager?,
        former_gez_owz: gez?,
        start: start?,
        end: end?,
    })
}
