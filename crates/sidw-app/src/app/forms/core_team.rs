//! The core team (wijkkernteam) of a network.

use crate::domain::validate::parse_optional_text;
use crate::domain::{CoreTeam, Network, NetworkId};
use crate::store::StoreError;

use super::super::App;
use super::super::form::{Fields, Form, form_fields};
use super::{FormSpec, Refusal, Saved, field};

form_fields! {
    pub(super) enum CoreTeamField {
        GpPractices => "Huisartsenpraktijk(en)",
        SocialDomain => "Sociaal domein",
        DistrictNursing => "Wijkverpleging",
    }
}

pub(super) struct CoreTeamForm {
    pub network: NetworkId,
}

impl FormSpec for CoreTeamForm {
    type Field = CoreTeamField;

    fn build(&self, app: &App) -> Result<Form, StoreError> {
        use CoreTeamField as F;
        let n = app.store.network(self.network)?;
        Ok(Form::new(format!("Wijkkernteam {}", n.name))
            .field(F::GpPractices, &n.core_team.gp_practices, "vertegenwoordiger")
            .field(F::SocialDomain, &n.core_team.social_domain, "vertegenwoordiger/manager")
            .field(F::DistrictNursing, &n.core_team.district_nursing, "vertegenwoordiger"))
    }

    fn save(&self, app: &mut App, form: &mut Fields<'_, CoreTeamField>) -> Result<Saved, Refusal<CoreTeamField>> {
        use CoreTeamField as F;
        let store = app.store.clone();
        let before = store.network(self.network)?;
        let mut text = |key, what| form.read(key, field(|t| parse_optional_text(what, t, 120))).ok_or(Refusal::Fields);
        let core_team = CoreTeam {
            gp_practices: text(F::GpPractices, "huisartsen")?,
            social_domain: text(F::SocialDomain, "sociaal domein")?,
            district_nursing: text(F::DistrictNursing, "wijkverpleging")?,
        };
        let after = store.update_network(&app.ctx(), &Network { core_team, ..before.clone() })?;
        app.push_network_undo(before, after);
        Ok(Saved::Done("Wijkkernteam opgeslagen.".into()))
    }
}
