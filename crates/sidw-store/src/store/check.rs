//! `sidw check`: reads every record and verifies that keys, indexes and money invariants agree.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::{
    Agreement, HoursEntry, HoursEntryId, Network, NetworkId, Participant, Partner, PracticeTeam, TariffTable,
    validate::{check_correction_hours, check_hours},
};

use super::audit::AuditEntry;
use super::codec::{Record, decode};
use super::keys::{
    TreeName, hex, in_network, municipal_year, name_key, network_quarter, network_year, year_from_key, year_key,
};
use super::records::{HoursIndex, InvoiceIndex};
use super::{Store, StoreError};
use crate::domain::close::{PaymentBatch, QuarterClose};
use crate::domain::municipality::{MunicipalYear, S1Rate};
use crate::domain::municipality_list::{Municipality, MunicipalityList};
use crate::domain::{Invoice, InvoiceId};

/// What `check` found: the records it read per tree, and every problem, in Dutch.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub counts: BTreeMap<&'static str, usize>,
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Verifies the store: every record decodes, keys match records, every index agrees with the
    /// records it indexes, references point at existing records, and every split sums to 100 %.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let mut report = CheckReport::default();

        // The municipality list (issue 17) first: the networks and S1 years are checked against it.
        let mut municipalities = Vec::new();
        for (key, m) in read_all::<Municipality>(self, TreeName::Municipalities, &mut report)? {
            if key != name_key(&m.name) {
                report.problems.push(format!("gemeente {} staat onder sleutel {}", m.name, hex(&key)));
            }
            if let Err(e) = m.validate() {
                report.problems.push(format!("gemeente {}: {e}", m.name));
            }
            municipalities.push(m);
        }
        let list = MunicipalityList::new(municipalities);
        for m in list.all() {
            if let Some(merger) = &m.merged_into
                && list.get(&merger.into).is_none()
            {
                report.problems.push(format!(
                    "gemeente {} is opgegaan in {}, die niet in de gemeentetabel staat",
                    m.name, merger.into
                ));
            }
        }

        let networks: Vec<(Vec<u8>, Network)> = read_all(self, TreeName::Networks, &mut report)?;
        let network_ids: HashSet<NetworkId> = networks.iter().map(|(_, n)| n.id).collect();
        let mut names_expected: HashMap<Vec<u8>, NetworkId> = HashMap::new();
        for (key, network) in &networks {
            if key.as_slice() != network.id.to_key() {
                report.problems.push(format!("netwerk '{}' staat onder sleutel {}", network.name, hex(key)));
            }
            if let Err(e) = network.validate() {
                report.problems.push(format!("netwerk '{}': {e}", network.name));
            } else if let Err(e) = list.for_network(network.region, &network.municipality) {
                // Made before the rule: reported, not changed (issue 17).
                report.problems.push(format!(
                    "netwerk '{}' (regio {}): {}",
                    network.name,
                    network.region.name(),
                    e.message
                ));
            }
            if names_expected.insert(name_key(&network.name), network.id).is_some() {
                report.problems.push(format!("netwerknaam '{}' komt twee keer voor", network.name));
            }
        }
        let mut names_found = 0;
        for item in self.tree(TreeName::NetworkNames).iter() {
            let (key, value) = item?;
            names_found += 1;
            if names_expected.get(key.as_slice()) != NetworkId::from_key(&value).as_ref() {
                report.problems.push(format!(
                    "naamindex '{}' wijst niet naar het netwerk met die naam",
                    String::from_utf8_lossy(&key)
                ));
            }
        }
        if names_found != names_expected.len() {
            report
                .problems
                .push(format!("naamindex heeft {names_found} namen, er zijn {} netwerken", names_expected.len()));
        }
        report.counts.insert(TreeName::NetworkNames.name(), names_found);

        for (key, team) in read_all::<PracticeTeam>(self, TreeName::PracticeTeams, &mut report)? {
            if key.as_slice() != team.network.to_key() || !network_ids.contains(&team.network) {
                report
                    .problems
                    .push(format!("praktijkteam onder sleutel {} hoort bij geen bestaand netwerk", hex(&key)));
            }
            if let Err(e) = team.validate() {
                report.problems.push(format!("praktijkteam van netwerk {}: {e}", team.network));
            }
        }

        let partners: Vec<(Vec<u8>, Partner)> = read_all(self, TreeName::Partners, &mut report)?;
        for (key, p) in &partners {
            belongs(&mut report, key, p.network, p.id.0, &network_ids, &format!("partner '{}'", p.name));
        }
        for (key, p) in read_all::<Participant>(self, TreeName::Participants, &mut report)? {
            belongs(&mut report, &key, p.network, p.id.0, &network_ids, &format!("deelnemer '{}'", p.name));
        }
        let partner_keys: HashSet<(NetworkId, u64)> = partners.iter().map(|(_, p)| (p.network, p.id.0)).collect();
        for (key, a) in read_all::<Agreement>(self, TreeName::Agreements, &mut report)? {
            belongs(&mut report, &key, a.network, a.id.0, &network_ids, &format!("overeenkomst {}", a.id));
            if let Some(partner) = a.partner
                && !partner_keys.contains(&(a.network, partner.0))
            {
                report.problems.push(format!("overeenkomst {} noemt partner {partner}, die niet bestaat", a.id));
            }
            if let Err(e) = a.validate() {
                report.problems.push(format!("overeenkomst {}: {e}", a.id));
            }
        }

        for (key, table) in read_all::<TariffTable>(self, TreeName::Tariffs, &mut report)? {
            if year_from_key(&key) != Some(table.year) {
                report.problems.push(format!("tarieventabel {} staat onder sleutel {}", table.year, hex(&key)));
            }
            if let Err(e) = table.validate() {
                report.problems.push(format!("tarieventabel {}: {e}", table.year));
            }
        }

        for (key, r) in read_all::<MunicipalYear>(self, TreeName::MunicipalYears, &mut report)? {
            if key != municipal_year(&r.municipality, r.year) {
                report.problems.push(format!("S1 {} {} staat onder sleutel {}", r.municipality, r.year, hex(&key)));
            }
            if let Err(e) = r.validate().and_then(|()| list.find(&r.municipality).map(|_| ())) {
                report.problems.push(format!("S1 {} {}: {e}", r.municipality, r.year));
            }
        }
        for (key, rate) in read_all::<S1Rate>(self, TreeName::S1Rates, &mut report)? {
            if year_from_key(&key) != Some(rate.year) {
                report.problems.push(format!("S1-tarief {} staat onder sleutel {}", rate.year, hex(&key)));
            }
        }

        for (key, mark) in read_all::<crate::domain::hours::NihilMark>(self, TreeName::Nihil, &mut report)? {
            if key != super::keys::nihil_key(mark.network, mark.month, mark.partner) {
                report.problems.push(format!("nihil-markering {} staat onder sleutel {}", mark.month, hex(&key)));
            }
        }

        // The indexes are compared with the records by a digest of the ids per index key (a
        // count and two sums of hashes, the same whatever the order): memory grows with the
        // number of indexes, not with the number of lines. Only an index whose digest differs is
        // looked at line by line, to name what is missing or extra.
        let mut expected_index: HashMap<[u8; 10], IdDigest> = HashMap::new();
        // Read one at a time: the hours are the bulk of the data.
        let tariff_years = self.tree(TreeName::Tariffs);
        read_each(self, TreeName::Hours, &mut report, |report, key, line: HoursEntry| {
            let line = &line;
            if key != line.id.to_key() {
                report.problems.push(format!("urenregel {} staat onder sleutel {}", line.id, hex(key)));
            }
            if !partner_keys.contains(&(line.network, line.partner.0)) {
                report.problems.push(format!(
                    "urenregel {} noemt partner {} die niet in netwerk {} staat",
                    line.id, line.partner, line.network
                ));
            }
            let hours =
                if line.corrects.is_some() { check_correction_hours(line.hours) } else { check_hours(line.hours) };
            if let Err(e) = hours {
                report.problems.push(format!("urenregel {}: {e}", line.id));
            }
            if tariff_years.get(year_key(line.year()))?.is_none() {
                report.problems.push(format!(
                    "urenregel {} valt in {}, waarvoor geen tarieven zijn",
                    line.id,
                    line.year()
                ));
            }
            expected_index.entry(network_year(line.network, line.year())).or_default().add(line.id.0);
            Ok(())
        })?;
        let mut differing: Vec<([u8; 10], Vec<HoursEntryId>)> = Vec::new();
        read_each(self, TreeName::HoursIndex, &mut report, |report, key, index: HoursIndex| {
            let listed: HashSet<HoursEntryId> = index.entries.iter().copied().collect();
            if listed.len() != index.entries.len() {
                report.problems.push(format!("urenindex {} noemt een regel dubbel", hex(key)));
            }
            let mut digest = IdDigest::default();
            for id in &listed {
                digest.add(id.0);
            }
            let index_key: Option<[u8; 10]> = key.try_into().ok();
            let expected = index_key.and_then(|k| expected_index.remove(&k)).unwrap_or_default();
            if digest != expected {
                match index_key {
                    Some(k) => differing.push((k, index.entries)),
                    None => {
                        for extra in &listed {
                            report.problems.push(format!(
                                "urenindex {} noemt regel {extra}, die daar niet hoort of niet bestaat",
                                hex(key)
                            ));
                        }
                    }
                }
            }
            Ok(())
        })?;
        for (key, lines) in &expected_index {
            report.problems.push(format!("{} urenregels hebben geen urenindex {}", lines.count, hex(key)));
        }
        if !differing.is_empty() {
            // Only for the indexes that differ: which lines belong there.
            let mut expected: HashMap<[u8; 10], HashSet<HoursEntryId>> =
                differing.iter().map(|(key, _)| (*key, HashSet::new())).collect();
            for item in self.tree(TreeName::Hours).iter() {
                let (_, bytes) = item?;
                if let Ok(line) = decode::<HoursEntry>(&bytes)
                    && let Some(ids) = expected.get_mut(&network_year(line.network, line.year()))
                {
                    ids.insert(line.id);
                }
            }
            for (key, entries) in differing {
                let listed: HashSet<HoursEntryId> = entries.into_iter().collect();
                let expected = expected.remove(&key).unwrap_or_default();
                for missing in expected.difference(&listed) {
                    report.problems.push(format!("urenregel {missing} ontbreekt in urenindex {}", hex(&key)));
                }
                for extra in listed.difference(&expected) {
                    report.problems.push(format!(
                        "urenindex {} noemt regel {extra}, die daar niet hoort of niet bestaat",
                        hex(&key)
                    ));
                }
            }
        }

        let mut expected_invoices: HashMap<Vec<u8>, IdDigest> = HashMap::new();
        read_each(self, TreeName::Invoices, &mut report, |report, key, invoice: Invoice| {
            let invoice = &invoice;
            belongs(report, key, invoice.network, invoice.id.0, &network_ids, &format!("factuur {}", invoice.number));
            if let Err(e) = invoice.validate() {
                report.problems.push(format!("factuur {}: {e}", invoice.number));
            }
            expected_invoices
                .entry(network_quarter(invoice.network, invoice.quarter).to_vec())
                .or_default()
                .add(invoice.id.0);
            Ok(())
        })?;
        read_each(self, TreeName::InvoiceIndex, &mut report, |report, key, index: InvoiceIndex| {
            let listed: HashSet<InvoiceId> = index.entries.iter().copied().collect();
            let mut digest = IdDigest::default();
            for id in &listed {
                digest.add(id.0);
            }
            if expected_invoices.remove(key).unwrap_or_default() != digest || listed.len() != index.entries.len() {
                report.problems.push(format!("factuurindex {} klopt niet met de facturen", hex(key)));
            }
            Ok(())
        })?;
        for key in expected_invoices.keys() {
            report.problems.push(format!("facturen zonder factuurindex {}", hex(key)));
        }
        // The batches one at a time (they hold every payment line): kept is only, per batch, its
        // quarter and the networks it is in force for; a claim reads its batch again.
        let mut current: HashMap<u64, (crate::domain::Quarter, HashSet<NetworkId>)> = HashMap::new();
        let mut expected_index: BTreeMap<Vec<u8>, Vec<u64>> = BTreeMap::new();
        read_each(self, TreeName::Batches, &mut report, |report, key, batch: PaymentBatch| {
            if key != batch.id.to_be_bytes() {
                report.problems.push(format!("betaalbatch {} staat onder sleutel {}", batch.number, hex(key)));
            }
            if batch.lines.iter().any(|l| l.amount <= rust_decimal::Decimal::ZERO) {
                report.problems.push(format!("betaalbatch {} bevat betalingen van 0 of minder", batch.number));
            }
            for network in &batch.networks {
                expected_index.entry(network_quarter(*network, batch.quarter).to_vec()).or_default().push(batch.id);
            }
            let networks = batch.networks.iter().copied().filter(|n| batch.is_current_for(*n)).collect();
            current.insert(batch.id, (batch.quarter, networks));
            Ok(())
        })?;
        for (key, close) in read_all::<QuarterClose>(self, TreeName::Closes, &mut report)? {
            if key.as_slice() != network_quarter(close.network, close.quarter) {
                report.problems.push(format!("afsluiting onder sleutel {} hoort daar niet", hex(&key)));
            }
            match current.get(&close.batch) {
                Some((quarter, networks)) if networks.contains(&close.network) && *quarter == close.quarter => {}
                _ => report.problems.push(format!(
                    "afsluiting {} van netwerk {} wijst niet naar een geldige betaalbatch",
                    close.quarter, close.network
                )),
            }
        }
        for (key, index) in read_all::<super::records::BatchIds>(self, TreeName::BatchIndex, &mut report)? {
            let mut ids = index.ids.clone();
            ids.sort_unstable();
            let mut expected = expected_index.remove(&key).unwrap_or_default();
            expected.sort_unstable();
            if ids != expected {
                report.problems.push(format!("batchindex {} klopt niet met de betaalbatches", hex(&key)));
            }
        }
        for key in expected_index.keys() {
            report.problems.push(format!("betaalbatches zonder batchindex {}", hex(key)));
        }
        let batch_of = |id: u64| -> Option<PaymentBatch> {
            self.tree(TreeName::Batches).get(id.to_be_bytes()).ok().flatten().and_then(|b| decode(&b).ok())
        };
        for (key, open) in read_all::<super::records::OpenClaims>(self, TreeName::Claims, &mut report)? {
            for claim in &open.claims {
                let payee = crate::domain::close::Payee::of(&claim.line);
                let at_key = payee.is_some_and(|p| key.as_slice() == super::keys::payee_key(claim.line.network, p));
                let raised = batch_of(claim.batch_id).is_some_and(|b| b.claims.iter().any(|c| c.line == claim.line));
                if !at_key || !raised || claim.open <= rust_decimal::Decimal::ZERO || claim.open > claim.line.amount {
                    report.problems.push(format!(
                        "vordering op {} uit batch {} klopt niet (open {}, sleutel {})",
                        claim.line.payee,
                        claim.batch,
                        claim.open,
                        hex(&key)
                    ));
                }
            }
        }

        for (key, exports) in read_all::<super::records::BatchExports>(self, TreeName::Exports, &mut report)? {
            let id = key.as_slice().try_into().map(u64::from_be_bytes).ok();
            if !id.is_some_and(|id| current.contains_key(&id)) {
                report.problems.push(format!("betaalbestanden onder sleutel {} horen bij geen betaalbatch", hex(&key)));
            }
            if exports.entries.is_empty() {
                report.problems.push(format!("betaalbestanden onder sleutel {} zonder bestanden", hex(&key)));
            }
        }

        for (key, lines) in read_all::<super::records::BankLines>(self, TreeName::BankLines, &mut report)? {
            let id = key.as_slice().try_into().map(u64::from_be_bytes).ok().filter(|id| current.contains_key(id));
            let batch = match id {
                Some(id) => self.get::<PaymentBatch>(TreeName::Batches, &id.to_be_bytes()).ok().flatten(),
                None => None,
            };
            let Some(batch) = batch else {
                report.problems.push(format!("bankstatus onder sleutel {} hoort bij geen betaalbatch", hex(&key)));
                continue;
            };
            // Every line of the batch: also a network's reopened since (the bank still paid it).
            let ids: std::collections::HashSet<String> =
                (0..batch.lines.len()).map(|n| batch.end_to_end_id(n)).collect();
            if let Some(sent) = lines.sent {
                let first = self.batch_exports(batch.id).map(|e| e.first_to_bank()).unwrap_or_default();
                let counted = crate::domain::bank::sent_lines(&batch, first).len();
                if usize::try_from(sent).ok() != Some(counted) {
                    report.problems.push(format!(
                        "bankstatus van batch {}: {sent} betalingen naar de bank genoteerd, het zijn er {counted}",
                        batch.number
                    ));
                }
            }
            for (id, again) in &lines.settled_again {
                if !ids.contains(id) {
                    report.problems.push(format!(
                        "bankstatus van batch {}: opnieuw betaalde terugboeking {id} bestaat niet",
                        batch.number
                    ));
                }
                if !current.contains_key(again) {
                    report.problems.push(format!(
                        "bankstatus van batch {}: terugboeking {id} opnieuw betaald door een batch die niet bestaat",
                        batch.number
                    ));
                }
            }
            for (id, _) in &lines.lines {
                if !ids.contains(id) {
                    report.problems.push(format!("bankstatus van batch {}: betaling {id} bestaat niet", batch.number));
                }
            }
        }
        read_all::<super::records::BankStatementImport>(self, TreeName::BankStatements, &mut report)?;

        for (key, _) in read_all::<super::records::BatchBasis>(self, TreeName::BatchBases, &mut report)? {
            let id = key.as_slice().try_into().map(u64::from_be_bytes).ok();
            if !id.is_some_and(|id| current.contains_key(&id)) {
                report.problems.push(format!("grondslag onder sleutel {} hoort bij geen betaalbatch", hex(&key)));
            }
        }

        // A preference naming a network removed since is no problem: the screen opens elsewhere.
        for (key, _) in read_all::<super::records::UserPreference>(self, TreeName::Preferences, &mut report)? {
            if std::str::from_utf8(&key).is_err() {
                report.problems.push(format!("voorkeur onder sleutel {} is van geen gebruikersnaam", hex(&key)));
            }
        }

        // The e-mail settings and the outbox must read.
        for (key, _) in read_all::<super::records::OutboxMessage>(self, TreeName::Outbox, &mut report)? {
            if key.len() != 8 {
                report.problems.push(format!("e-mail onder sleutel {} heeft geen id", hex(&key)));
            }
        }
        for item in self.tree(TreeName::MailSettings).iter() {
            let (key, bytes) = item?;
            let ok = if key.starts_with(b"regio:") {
                super::decode_at::<super::records::RegionAddress>(TreeName::MailSettings, &key, &bytes).is_ok()
            } else {
                super::decode_at::<crate::domain::mail::MailTemplate>(TreeName::MailSettings, &key, &bytes).is_ok()
            };
            if !ok {
                report.problems.push(format!("e-mailinstelling onder sleutel {} is onleesbaar", hex(&key)));
            }
        }

        // Stored Signalen facts must say what the lines say now: a wrong one is found here, not used.
        let epoch = self.facts_epoch()?;
        let tariffs = self.tariff_book()?;
        let years: Vec<i32> = tariffs.years().collect();
        read_each(self, TreeName::SignalFacts, &mut report, |report, key, facts: super::records::HoursFacts| {
            let Some(network) = NetworkId::from_key(key).and_then(|id| networks.iter().find(|(_, n)| n.id == id))
            else {
                report.problems.push(format!("urenfeiten onder sleutel {} horen bij geen netwerk", hex(key)));
                return Ok(());
            };
            if facts.epoch != epoch {
                return Ok(()); // from before a tariff change: never used, computed again when needed
            }
            let partners: Vec<Partner> =
                partners.iter().filter(|(_, p)| p.network == network.1.id).map(|(_, p)| p.clone()).collect();
            match self.compute_hours_facts(&network.1, &partners, &tariffs, &years, epoch) {
                Ok(fresh) if fresh == facts => {}
                Ok(_) => report.problems.push(format!(
                    "urenfeiten van netwerk '{}' kloppen niet met de urenregels (worden opnieuw berekend na een wijziging van het netwerk)",
                    network.1.name
                )),
                Err(e) => report.problems.push(format!("urenfeiten van netwerk '{}': {e}", network.1.name)),
            }
            Ok(())
        })?;

        read_each(self, TreeName::Audit, &mut report, |report, key, entry: AuditEntry| {
            if key != entry.id.to_be_bytes() {
                report.problems.push(format!("logboekregel {} staat onder sleutel {}", entry.id, hex(key)));
            }
            Ok(())
        })?;
        let (days, words, terms) = self.check_audit_index(&mut report.problems)?;
        report.counts.insert(TreeName::AuditTime.name(), days);
        report.counts.insert(TreeName::AuditWords.name(), words);
        report.counts.insert(TreeName::AuditTerms.name(), terms);
        Ok(report)
    }
}

fn belongs(
    report: &mut CheckReport,
    key: &[u8],
    network: NetworkId,
    id: u64,
    networks: &HashSet<NetworkId>,
    what: &str,
) {
    if key != in_network(network, id) {
        report.problems.push(format!("{what} staat onder sleutel {}", hex(key)));
    }
    if !networks.contains(&network) {
        report.problems.push(format!("{what} hoort bij netwerk {network}, dat niet bestaat"));
    }
}

/// Decodes the records of a tree one at a time and hands each to `each` (memory does not grow
/// with the tree); a record that does not decode is a problem, not an abort.
fn read_each<R: Record>(
    store: &Store,
    tree: TreeName,
    report: &mut CheckReport,
    mut each: impl FnMut(&mut CheckReport, &[u8], R) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut count = 0;
    for item in store.tree(tree).iter() {
        let (key, bytes) = item?;
        match decode::<R>(&bytes) {
            Ok(record) => {
                count += 1;
                each(report, &key, record)?;
            }
            Err(e) => {
                report.problems.push(format!("{} onder sleutel {} in '{}': {e}", R::KIND, hex(&key), tree.name()))
            }
        }
    }
    report.counts.insert(tree.name(), count);
    Ok(())
}

/// The ids under one index key, whatever their order: how many, and two sums of a hash of each
/// (two ids sets with the same digest are the same set, but for a chance of about 2^-128).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct IdDigest {
    count: u64,
    sum: u64,
    other: u64,
}

impl IdDigest {
    fn add(&mut self, id: u64) {
        use std::hash::{Hash, Hasher};
        // SipHash with fixed keys: the same ids give the same digest in every run.
        let hash = |salt: u8| {
            let mut hasher = std::hash::DefaultHasher::new();
            (salt, id).hash(&mut hasher);
            hasher.finish()
        };
        self.count += 1;
        self.sum = self.sum.wrapping_add(hash(1));
        self.other = self.other.wrapping_add(hash(2));
    }
}

/// Decodes every record of a tree; a record that does not decode is a problem, not an abort.
fn read_all<R: Record>(
    store: &Store,
    tree: TreeName,
    report: &mut CheckReport,
) -> Result<Vec<(Vec<u8>, R)>, StoreError> {
    let mut records = Vec::new();
    for item in store.tree(tree).iter() {
        let (key, bytes) = item?;
        match decode::<R>(&bytes) {
            Ok(record) => records.push((key.to_vec(), record)),
            Err(e) => {
                report.problems.push(format!("{} onder sleutel {} in '{}': {e}", R::KIND, hex(&key), tree.name()))
            }
        }
    }
    report.counts.insert(tree.name(), records.len());
    Ok(records)
}
