//! Networks with their practice team, partners, participants and agreements.

use chrono::NaiveDate;

use crate::domain::calendar::{YEARS, format_date};
use crate::domain::close::QuarterClose;
use crate::domain::municipality_list::MunicipalityList;
use crate::domain::{
    Agreement, AgreementId, AgreementKind, Network, NetworkId, Participant, ParticipantId, Partner, PartnerId,
    PracticeId, PracticeTeam, Quarter,
};

use super::keys::{TreeName, in_network, name_key, network_quarter};
use super::tx::{Tx, TxResult, abort};
use super::{ChangeContext, Store, StoreError};

impl Store {
    pub fn networks(&self) -> Result<Vec<Network>, StoreError> {
        self.scan(TreeName::Networks, &[])
    }

    pub fn network(&self, id: NetworkId) -> Result<Network, StoreError> {
        self.get(TreeName::Networks, &id.to_key())?.ok_or_else(|| StoreError::NotFound(format!("netwerk {id}")))
    }

    /// The network of that name, ignoring case and surrounding spaces.
    pub fn network_by_name(&self, name: &str) -> Result<Option<Network>, StoreError> {
        match self.tree(TreeName::NetworkNames).get(name_key(name))? {
            None => Ok(None),
            Some(id) => NetworkId::from_key(&id).map(|id| self.network(id)).transpose(),
        }
    }

    /// Stores a new network (its `id` is assigned here) and returns the id.
    pub fn create_network(&self, ctx: &ChangeContext, draft: &Network) -> Result<NetworkId, StoreError> {
        let draft = &normalised(draft, &self.municipality_list()?, None)?;
        self.write(ctx, |tx| {
            let network = Network { id: NetworkId(tx.new_id()?), ..draft.clone() };
            claim_name(tx, &network)?;
            tx.put(TreeName::Networks, &network.id.to_key(), &network)?;
            tx.audit::<(), _>("netwerk aangemaakt", &network.name, None, Some(&network))?;
            Ok(network.id)
        })
    }

    /// Stores a changed network; returns it as stored (trimmed name, reference municipality).
    pub fn update_network(&self, ctx: &ChangeContext, network: &Network) -> Result<Network, StoreError> {
        let before = self.network(network.id)?;
        let network = &normalised(network, &self.municipality_list()?, Some(&before))?;
        if network.former_gez_owz && !self.network(network.id)?.former_gez_owz && self.network_has_hours(network.id)? {
            return Err(StoreError::Refused(
                "dit netwerk heeft al uren; een voormalig GEZ/OWZ-netwerk heeft geen urenadministratie".into(),
            ));
        }
        self.write(ctx, |tx| {
            let before: Network =
                tx.require(TreeName::Networks, &network.id.to_key(), || format!("netwerk {}", network.id))?;
            if name_key(&before.name) != name_key(&network.name) {
                tx.remove(TreeName::NetworkNames, &name_key(&before.name))?;
                claim_name(tx, network)?;
            }
            tx.put(TreeName::Networks, &network.id.to_key(), network)?;
            tx.audit("netwerk gewijzigd", &network.name, Some(&before), Some(network))?;
            Ok(network.clone())
        })
    }

    /// Changes a network's milestones (or other fields but its name) by reading, changing and
    /// writing it in one transaction, so a colleague's change in between is never overwritten.
    /// `change` may run more than once (a transaction retries) and must only change the record.
    /// Returns the network before and after.
    pub fn change_network(
        &self,
        ctx: &ChangeContext,
        id: NetworkId,
        change: impl Fn(&mut Network) -> Result<(), StoreError>,
    ) -> Result<(Network, Network), StoreError> {
        self.write(ctx, |tx| {
            let before = require_network(tx, id)?;
            let mut network = before.clone();
            change(&mut network).map_err(abort)?;
            if network.name != before.name || network.former_gez_owz != before.former_gez_owz {
                return Err(abort(StoreError::Refused("naam en GEZ/OWZ wijzigt u in het netwerkformulier".into())));
            }
            network.validate().map_err(|e| abort(StoreError::from(e)))?;
            tx.put(TreeName::Networks, &id.to_key(), &network)?;
            tx.audit("netwerk gewijzigd", &network.name, Some(&before), Some(&network))?;
            Ok((before, network))
        })
    }

    /// The network's practice team; empty when none has been entered.
    pub fn practice_team(&self, network: NetworkId) -> Result<PracticeTeam, StoreError> {
        Ok(self.get(TreeName::PracticeTeams, &network.to_key())?.unwrap_or_else(|| PracticeTeam::empty(network)))
    }

    /// Saves the whole practice team at once, so that the shares always sum to 100. Practices
    /// with id 0 are new and get an id here. Returns the team as stored.
    pub fn save_practice_team(&self, ctx: &ChangeContext, team: &PracticeTeam) -> Result<PracticeTeam, StoreError> {
        Ok(self.save_practice_teams(ctx, std::slice::from_ref(team))?.remove(0))
    }

    /// Saves several practice teams in one change (the yearly ION import): all or none.
    /// A closed quarter keeps its split: a change of the shares in force on the first day of a
    /// closed quarter of the network is refused (SPEC §9).
    pub fn save_practice_teams(
        &self,
        ctx: &ChangeContext,
        teams: &[PracticeTeam],
    ) -> Result<Vec<PracticeTeam>, StoreError> {
        for team in teams {
            team.validate()?;
        }
        self.write(ctx, |tx| teams.iter().map(|team| store_team(tx, team)).collect())
    }

    /// The closed quarters of a network, oldest first.
    pub fn closed_quarters(&self, network: NetworkId) -> Result<Vec<Quarter>, StoreError> {
        let closes: Vec<QuarterClose> = self.scan(TreeName::Closes, &network.to_key())?;
        let mut quarters: Vec<Quarter> = closes.into_iter().map(|c| c.quarter).collect();
        quarters.sort_unstable();
        Ok(quarters)
    }

    /// The first day from which a new split of the network's practice team may apply: the first
    /// day of `from_quarter`, or of the first quarter after the network's last closed quarter
    /// when that is later. The split form offers it.
    pub fn first_open_share_date(&self, network: NetworkId, from_quarter: Quarter) -> Result<NaiveDate, StoreError> {
        let after_closed = self.closed_quarters(network)?.last().map(|q| q.next());
        Ok(after_closed.map_or(from_quarter, |q| q.max(from_quarter)).first_day())
    }

    pub fn partners(&self, network: NetworkId) -> Result<Vec<Partner>, StoreError> {
        self.scan(TreeName::Partners, &network.to_key())
    }

    pub fn partner(&self, network: NetworkId, id: PartnerId) -> Result<Partner, StoreError> {
        self.get(TreeName::Partners, &in_network(network, id.0))?
            .ok_or_else(|| StoreError::NotFound(format!("partner {id} in netwerk {network}")))
    }

    pub fn add_partner(&self, ctx: &ChangeContext, draft: &Partner) -> Result<PartnerId, StoreError> {
        draft.validate()?;
        self.write(ctx, |tx| {
            let network = require_network(tx, draft.network)?;
            let partner = Partner { id: PartnerId(tx.new_id()?), ..draft.clone() };
            tx.put(TreeName::Partners, &in_network(partner.network, partner.id.0), &partner)?;
            tx.audit::<(), _>(
                "partner toegevoegd",
                &format!("{} / {}", network.name, partner.name),
                None,
                Some(&partner),
            )?;
            Ok(partner.id)
        })
    }

    /// The tariff category is fixed once the partner has hours lines (it sets what they are worth).
    pub fn update_partner(&self, ctx: &ChangeContext, partner: &Partner) -> Result<(), StoreError> {
        partner.validate()?;
        let stored = self.partner(partner.network, partner.id)?;
        if stored.category != partner.category && self.partner_has_hours(partner.network, partner.id)? {
            return Err(StoreError::Refused(format!(
                "{} heeft al uren; de tariefcategorie ligt daarmee vast",
                stored.name
            )));
        }
        self.write(ctx, |tx| {
            let network = require_network(tx, partner.network)?;
            let key = in_network(partner.network, partner.id.0);
            let before: Partner = tx.require(TreeName::Partners, &key, || format!("partner {}", partner.id))?;
            tx.put(TreeName::Partners, &key, partner)?;
            tx.audit("partner gewijzigd", &format!("{} / {}", network.name, partner.name), Some(&before), Some(partner))
        })
    }

    pub fn participants(&self, network: NetworkId) -> Result<Vec<Participant>, StoreError> {
        self.scan(TreeName::Participants, &network.to_key())
    }

    pub fn add_participant(&self, ctx: &ChangeContext, draft: &Participant) -> Result<ParticipantId, StoreError> {
        draft.validate()?;
        self.write(ctx, |tx| {
            let network = require_network(tx, draft.network)?;
            let participant = Participant { id: ParticipantId(tx.new_id()?), ..draft.clone() };
            tx.put(TreeName::Participants, &in_network(participant.network, participant.id.0), &participant)?;
            let subject = format!("{} / {}", network.name, participant.name);
            tx.audit::<(), _>("deelnemer toegevoegd", &subject, None, Some(&participant))?;
            Ok(participant.id)
        })
    }

    pub fn update_participant(&self, ctx: &ChangeContext, participant: &Participant) -> Result<(), StoreError> {
        participant.validate()?;
        self.write(ctx, |tx| {
            let network = require_network(tx, participant.network)?;
            let key = in_network(participant.network, participant.id.0);
            let before: Participant =
                tx.require(TreeName::Participants, &key, || format!("deelnemer {}", participant.id))?;
            tx.put(TreeName::Participants, &key, participant)?;
            let subject = format!("{} / {}", network.name, participant.name);
            tx.audit("deelnemer gewijzigd", &subject, Some(&before), Some(participant))
        })
    }

    pub fn agreements(&self, network: NetworkId) -> Result<Vec<Agreement>, StoreError> {
        self.scan(TreeName::Agreements, &network.to_key())
    }

    pub fn all_agreements(&self) -> Result<Vec<Agreement>, StoreError> {
        self.scan(TreeName::Agreements, &[])
    }

    pub fn add_agreement(&self, ctx: &ChangeContext, draft: &Agreement) -> Result<AgreementId, StoreError> {
        draft.validate()?;
        let facts = FundingFacts::read(self, draft)?;
        self.write(ctx, |tx| {
            let subject = agreement_subject(tx, draft)?;
            let agreement = Agreement { id: AgreementId(tx.new_id()?), ..draft.clone() };
            tx.put(TreeName::Agreements, &in_network(agreement.network, agreement.id.0), &agreement)?;
            tx.audit::<(), _>("overeenkomst aangemaakt", &subject, None, Some(&agreement))?;
            derive_funding_start(tx, &facts, &agreement)?;
            Ok(agreement.id)
        })
    }

    pub fn update_agreement(&self, ctx: &ChangeContext, agreement: &Agreement) -> Result<(), StoreError> {
        agreement.validate()?;
        let facts = FundingFacts::read(self, agreement)?;
        self.write(ctx, |tx| {
            let subject = agreement_subject(tx, agreement)?;
            let key = in_network(agreement.network, agreement.id.0);
            let before: Agreement =
                tx.require(TreeName::Agreements, &key, || format!("overeenkomst {}", agreement.id))?;
            tx.put(TreeName::Agreements, &key, agreement)?;
            tx.audit("overeenkomst gewijzigd", &subject, Some(&before), Some(agreement))?;
            derive_funding_start(tx, &facts, agreement)
        })
    }
}

/// The network as it is stored: validated, name trimmed, municipality in the list's spelling and
/// of the network's Medrie region (issue 17). A network that already lay where it lies (made
/// before the rule) may still be changed otherwise: `check` reports it, nothing moves it silently.
fn normalised(network: &Network, list: &MunicipalityList, before: Option<&Network>) -> Result<Network, StoreError> {
    network.validate()?;
    let unmoved = before
        .is_some_and(|b| b.region == network.region && name_key(&b.municipality) == name_key(&network.municipality));
    let municipality = if unmoved {
        list.find(&network.municipality)?
    } else {
        list.for_network(network.region, &network.municipality)?
    };
    Ok(Network { name: network.name.trim().to_string(), municipality: municipality.name.clone(), ..network.clone() })
}

/// What the start of funding is derived from, read before the change's transaction (sled did
/// not let a transaction scan a tree): the network's practice-team agreements and whether a
/// quarter of it is closed.
struct FundingFacts {
    team_agreements: Vec<AgreementId>,
    closed: bool,
}

impl FundingFacts {
    fn read(store: &Store, agreement: &Agreement) -> Result<Self, StoreError> {
        let team_agreements = store
            .agreements(agreement.network)?
            .into_iter()
            .filter(|a| a.kind == AgreementKind::PracticeTeam)
            .map(|a| a.id)
            .collect();
        let closed = store.tree(TreeName::Closes).scan_prefix(agreement.network.to_key()).next().is_some();
        Ok(Self { team_agreements, closed })
    }
}

/// Funding starts when the practice-team agreement is signed (handbook ch. 4): unless someone set
/// the network's start of funding, it is the earliest signed date of the network's practice-team
/// agreements (a renewal or an unsigned draft does not move it), in the same change. Once a quarter
/// of the network is closed the start stays where it is: closed money is not recomputed.
fn derive_funding_start(tx: &Tx, facts: &FundingFacts, agreement: &Agreement) -> TxResult<()> {
    if agreement.kind != AgreementKind::PracticeTeam || facts.closed {
        return Ok(());
    }
    let before = require_network(tx, agreement.network)?;
    if before.funding_start.is_some() && !before.milestones.funding_start_derived {
        return Ok(());
    }
    let mut signed = agreement.signed;
    for id in facts.team_agreements.iter().filter(|id| **id != agreement.id) {
        let other: Option<Agreement> = tx.get(TreeName::Agreements, &in_network(agreement.network, id.0))?;
        signed = signed.into_iter().chain(other.and_then(|a| a.signed)).min();
    }
    if before.funding_start == signed {
        return Ok(());
    }
    let mut network = before.clone();
    network.funding_start = signed;
    network.milestones.funding_start_derived = signed.is_some();
    if network.validate().is_err() {
        return Ok(()); // a signed date after the end of funding: leave the start as it is
    }
    tx.put(TreeName::Networks, &network.id.to_key(), &network)?;
    tx.audit("start financiering afgeleid van overeenkomst praktijkteam", &network.name, Some(&before), Some(&network))
}

fn store_team(tx: &Tx, team: &PracticeTeam) -> TxResult<PracticeTeam> {
    let network: Network =
        tx.require(TreeName::Networks, &team.network.to_key(), || format!("netwerk {}", team.network))?;
    let before: Option<PracticeTeam> = tx.get(TreeName::PracticeTeams, &team.network.to_key())?;
    let known: Vec<PracticeId> = before.iter().flat_map(|t| t.practices.iter().map(|p| p.id)).collect();
    let mut stored = team.clone();
    for practice in &mut stored.practices {
        if practice.id.0 == 0 {
            practice.id = PracticeId(tx.new_id()?);
        } else if !known.contains(&practice.id) {
            return Err(abort(StoreError::NotFound(format!("praktijk {} in dit praktijkteam", practice.id))));
        }
    }
    let mut ids: Vec<PracticeId> = stored.practices.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(abort(StoreError::Refused("dezelfde praktijk staat twee keer in het praktijkteam".into())));
    }
    let old = before.clone().unwrap_or_else(|| PracticeTeam::empty(team.network));
    let closed = closed_quarters_with_another_split(tx, &old, &stored)?;
    if let (Some(quarter), Some(last)) = (closed.first(), closed.last()) {
        return Err(abort(StoreError::Refused(format!(
            "{quarter} van {} is afgesloten en houdt de verdeling die op {} gold; \
             laat de nieuwe verdeling ingaan na {} (bijvoorbeeld vanaf {})",
            network.name,
            format_date(quarter.first_day()),
            format_date(last.first_day()),
            format_date(last.next().first_day()),
        ))));
    }
    tx.put(TreeName::PracticeTeams, &team.network.to_key(), &stored)?;
    tx.audit("praktijkteam opgeslagen", &network.name, before.as_ref(), Some(&stored))?;
    Ok(stored)
}

/// The closed quarters of the network whose split `new` would change: those on whose first day
/// the shares in force differ. Read inside the saving transaction, so a quarter closed by a
/// colleague meanwhile counts too (sled could not scan in a transaction: every quarter from the
/// first share date on is looked up, at most 404).
fn closed_quarters_with_another_split(tx: &Tx, old: &PracticeTeam, new: &PracticeTeam) -> TxResult<Vec<Quarter>> {
    let dates = old.share_dates().into_iter().chain(new.share_dates());
    let (Some(first), Some(last)) = (dates.min().map(Quarter::of_date), Quarter::new(*YEARS.end(), 4)) else {
        return Ok(Vec::new());
    };
    let mut closed = Vec::new();
    let mut quarter = first;
    while quarter <= last {
        if old.shares_differ_on(new, quarter.first_day())
            && tx.get_raw(TreeName::Closes, &network_quarter(new.network, quarter))?.is_some()
        {
            closed.push(quarter);
        }
        quarter = quarter.next();
    }
    Ok(closed)
}

pub(super) fn require_network(tx: &Tx, id: NetworkId) -> TxResult<Network> {
    tx.require(TreeName::Networks, &id.to_key(), || format!("netwerk {id}"))
}

fn claim_name(tx: &Tx, network: &Network) -> TxResult<()> {
    let key = name_key(&network.name);
    if let Some(owner) = tx.get_raw(TreeName::NetworkNames, &key)?
        && NetworkId::from_key(&owner) != Some(network.id)
    {
        return Err(abort(StoreError::Refused(format!("er is al een netwerk met de naam '{}'", network.name.trim()))));
    }
    tx.put_raw(TreeName::NetworkNames, &key, &network.id.to_key())
}

fn agreement_subject(tx: &Tx, agreement: &Agreement) -> TxResult<String> {
    let network = require_network(tx, agreement.network)?;
    let party = match (agreement.kind, agreement.partner) {
        (AgreementKind::Partner, Some(partner)) => {
            let partner: Partner = tx.require(TreeName::Partners, &in_network(agreement.network, partner.0), || {
                format!("partner {partner} in netwerk {}", network.name)
            })?;
            partner.name
        }
        (kind, _) => kind.dutch_label().to_string(),
    };
    Ok(format!("{} / {party}", network.name))
}

/// Meta key: the network record layout every stored network was last written in (u16,
/// big-endian).
pub(super) const NETWORK_LAYOUT: &[u8] = b"network_layout";

impl Store {
    /// Network records of an older layout are written again in the current one, once, when the
    /// database is opened: the same networks, so nothing derived from them changes. A network is
    /// read for every Signalen list, and version 3 (dates as text) read several times slower.
    pub(super) fn current_network_layout(&self) -> Result<(), StoreError> {
        use super::codec::Record;
        let current = Network::VERSION.to_be_bytes();
        if self.tree(TreeName::Meta).get(NETWORK_LAYOUT)?.is_some_and(|v| v == current) {
            return Ok(());
        }
        let mut older = Vec::new();
        for pair in self.tree(TreeName::Networks).iter() {
            let (key, bytes) = pair?;
            if bytes.get(1..3) != Some(current.as_slice()) {
                let network: Network = super::decode_at(TreeName::Networks, &key, &bytes)?;
                older.push((key, super::codec::encode(&network)));
            }
        }
        let _writing = self.writing.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Not waited for on disk: lost in a crash, it is done again at the next open.
        self.bulk(super::Durable::Later, |w| {
            for (key, bytes) in &older {
                w.insert(TreeName::Networks, key, bytes)?;
            }
            w.insert(TreeName::Meta, NETWORK_LAYOUT, &current)
        })
    }
}
