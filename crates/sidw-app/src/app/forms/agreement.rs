//! A new agreement: of a network's practice team, one of its partners, or the network itself.

use crate::domain::calendar::format_date;
use crate::domain::{Agreement, AgreementId, AgreementKind, Network, NetworkId, PartnerId};
use crate::store::{Store, StoreError};

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::super::undo::UndoOp;
use super::{FormSpec, Refusal, Saved, opt_date};

form_fields! {
    pub(super) enum AgreementField {
        Network => "Netwerk",
        Kind => "Soort",
        /// The partner, for a partner's agreement.
        Partner => "Zorgverlener",
        Sent => "Verstuurd",
    }
}

pub(super) struct AgreementForm {
    /// The network offered (the one selected), if any.
    pub network: Option<NetworkId>,
}

impl FormSpec for AgreementForm {
    type Field = AgreementField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use AgreementField as F;
        let name = match self.network {
            Some(id) => app.store.network(id)?.name,
            None => String::new(),
        };
        Ok(Form::new("Nieuwe overeenkomst")
            .field(F::Network, &name, "naam van het netwerk")
            .field(F::Kind, "zorgverlener", "praktijkteam, zorgverlener of wijknetwerk")
            .field(F::Partner, "", "naam, bij soort zorgverlener")
            .field(F::Sent, &format_date(app.today()), "dd-mm-jjjj, leeg = nog niet"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, AgreementField>) -> Result<Saved, Refusal<AgreementField>> {
        use AgreementField as F;
        let store = app.store.clone();
        let network = form.read(F::Network, |t| match store.network_by_name(t) {
            Ok(Some(n)) => Ok(n),
            Ok(None) => Err(format!("geen netwerk '{t}'")),
            Err(e) => Err(e.to_string()),
        });
        let kind = form.read(F::Kind, parse_kind);
        let sent = form.read(F::Sent, opt_date);
        let (Some(network), Some(kind), Some(sent)) = (network, kind, sent) else {
            return Err(Refusal::Fields);
        };
        let partner = if kind == AgreementKind::Partner { Some(read_partner(&store, form, &network)?) } else { None };
        let agreement =
            Agreement { id: AgreementId(0), network: network.id, kind, partner, sent, signed: None, ended: None };
        store.add_agreement(&app.ctx(), &agreement)?;
        app.push_undo(UndoOp::Created("overeenkomst"));
        Ok(Saved::Done(format!("Overeenkomst {} voor {} aangemaakt.", kind.dutch_label(), network.name)))
    }
}

fn parse_kind(text: &str) -> Result<AgreementKind, String> {
    match text.to_lowercase().as_str() {
        "praktijkteam" => Ok(AgreementKind::PracticeTeam),
        "zorgverlener" | "partner" => Ok(AgreementKind::Partner),
        "wijknetwerk" => Ok(AgreementKind::Network),
        _ => Err("kies praktijkteam, zorgverlener of wijknetwerk".into()),
    }
}

/// The partner typed in, by name, among the network's.
fn read_partner(
    store: &Store,
    form: &mut Fields<'_, AgreementField>,
    network: &Network,
) -> Result<PartnerId, Refusal<AgreementField>> {
    let partners = store.partners(network.id)?;
    form.read(AgreementField::Partner, |t| {
        partners
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(t))
            .map(|p| p.id)
            .ok_or_else(|| format!("geen zorgverlener '{t}' in {}", network.name))
    })
    .ok_or(Refusal::Fields)
}
