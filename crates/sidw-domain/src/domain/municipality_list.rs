//! Municipalities as data (issue 17): each municipality's name, CBS code where known, Zilveren
//! Kruis S1 region(s) and the Medrie region whose secretariat it belongs to, if any; and mergers
//! (old municipalities → a new one, from a date), so that old records stay readable.
//!
//! The list is seeded from seed 000's table ([`super::region::ZK_REGIONS`]) with the Medrie regions
//! of [`MEDRIE_REGIONS`]; an admin adds municipalities and records mergers. The rules on it live
//! here, once: a municipality typed in is found in the list ([`MunicipalityList::find`]), and a
//! network's municipality belongs to the network's Medrie region ([`MunicipalityList::for_network`]).
//!
//! Sources. The CBS codes of [`CBS_CODES`] were checked (December 2026) against CBS's own list of
//! 2025, the `statcode`/`statnaam` of PDOK's "CBS gebiedsindelingen 2025" as kept in
//! github.com/cartomap/nl, `rd/gemeente_2025.topojson` (commit
//! 01e3b4cea860e7bb5dc3bddbfff72d3e4f4709e6; 342 municipalities): all seventeen were right, names
//! included (CBS writes "Laren (NH.)", "Hengelo (O.)" where a name is not unique; the municipality's
//! own name stays ours). The test `cbs_codes_are_those_of_cbs_2025` holds that list.
//!
//! Seed 000's table is Zilveren Kruis's of 2018; eight of its names are no municipality in CBS's
//! 2025 list, and the seed records none of these mergers (an admin does, see [`MunicipalityList::merging`]):
//! Zeevang (into Edam-Volendam, Wet van 8 april 2015, BWBR0036624), Bussum, Muiden and Naarden
//! (into the new Gooise Meren, GM1942; Wet van 4 juni 2015, BWBR0036681), Haarlemmerliede en
//! Spaarnwoude (into Haarlemmermeer, GM0394), Vianen (into Vijfheerenlanden, GM1961), Beemster (in
//! CBS's list of 2021 as GM0370, not in that of 2022: into Purmerend, GM0439) and Weesp (in CBS's
//! list of 2022 as GM0457, not in that of 2025: into Amsterdam). The laws are in
//! github.com/statengeneraal/laws-markdown; the lists of 2021 and 2022 in cartomap/nl as above.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::format_date;
use super::error::FieldError;
use super::region::{Region, ZK_REGIONS};

/// A merger: this municipality went up in `into` on `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merger {
    pub into: String,
    pub from: NaiveDate,
}

/// One municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    pub name: String,
    /// The CBS municipality code (four digits, "0193" for Zwolle), where known.
    pub cbs_code: Option<String>,
    /// The Zilveren Kruis S1 regions it lies in (Rotterdam lies in two; a new one may have none yet).
    pub zk_regions: Vec<String>,
    /// The Medrie region whose secretariat it belongs to; `None` outside Medrie's area.
    pub medrie_region: Option<Region>,
    /// Since when it is part of another municipality.
    pub merged_into: Option<Merger>,
}

/// The Medrie regions of the municipalities of seed 000's table. The seeds name the three regions
/// (handbook appendix 1) but not their municipalities: Flevoland is the province's six
/// municipalities (Zeewolde too, though ZK counts it to Noord Veluwe); Hardenberg is Hardenberg and
/// Ommen; Zwolle is the rest of ZK's IJsselvecht. Every other municipality of the table lies outside
/// Medrie's area.
pub const MEDRIE_REGIONS: &[(&str, Region)] = &[
    ("Almere", Region::Flevoland),
    ("Dronten", Region::Flevoland),
    ("Lelystad", Region::Flevoland),
    ("Noordoostpolder", Region::Flevoland),
    ("Urk", Region::Flevoland),
    ("Zeewolde", Region::Flevoland),
    ("Hardenberg", Region::Hardenberg),
    ("Ommen", Region::Hardenberg),
    ("Zwolle", Region::Zwolle),
    ("Staphorst", Region::Zwolle),
    ("Zwartewaterland", Region::Zwolle),
    ("Kampen", Region::Zwolle),
    ("Steenwijkerland", Region::Zwolle),
    ("Dalfsen", Region::Zwolle),
];

/// CBS municipality codes, where known: those of Medrie's municipalities and the big cities
/// (checked against CBS's list of 2025, see the module's sources).
pub const CBS_CODES: &[(&str, &str)] = &[
    ("Almere", "0034"),
    ("Dronten", "0303"),
    ("Lelystad", "0995"),
    ("Noordoostpolder", "0171"),
    ("Urk", "0184"),
    ("Zeewolde", "0050"),
    ("Hardenberg", "0160"),
    ("Ommen", "0175"),
    ("Zwolle", "0193"),
    ("Staphorst", "0180"),
    ("Zwartewaterland", "1896"),
    ("Kampen", "0166"),
    ("Steenwijkerland", "1708"),
    ("Dalfsen", "0148"),
    ("Amsterdam", "0363"),
    ("Rotterdam", "0599"),
    ("Utrecht", "0344"),
];

/// Mergers are followed at most this deep (a chain longer than this is a mistake in the data).
const MERGER_DEPTH: usize = 8;

impl Municipality {
    /// A municipality outside any merger.
    pub fn new(name: &str, cbs_code: Option<&str>, zk_regions: &[&str], medrie_region: Option<Region>) -> Self {
        Self {
            name: name.trim().to_string(),
            cbs_code: cbs_code.map(str::to_string),
            zk_regions: zk_regions.iter().map(|r| r.to_string()).collect(),
            medrie_region,
            merged_into: None,
        }
    }

    /// The key of the municipality: its name, trimmed and in lower case.
    pub fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// Its own fields: a name, a CBS code of four digits, ZK region names.
    pub fn validate(&self) -> Result<(), FieldError> {
        super::validate::parse_required_text("naam", &self.name, 60)?;
        if let Some(code) = &self.cbs_code
            && !(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(FieldError::new("cbs-code", "een CBS-code is vier cijfers, bv. 0177"));
        }
        for region in &self.zk_regions {
            super::validate::parse_required_text("zk-regio", region, 60)?;
        }
        Ok(())
    }
}

/// Parses a CBS code as typed: empty is none; "GM0177" and "177" are read as "0177".
pub fn parse_cbs_code(input: &str) -> Result<Option<String>, FieldError> {
    let text = input.trim();
    let digits = text.strip_prefix("GM").or_else(|| text.strip_prefix("gm")).unwrap_or(text);
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new("cbs-code", "een CBS-code is vier cijfers, bv. 0177"));
    }
    Ok(Some(format!("{digits:0>4}")))
}

/// Parses a Medrie region as typed: empty (or "geen") is none.
pub fn parse_medrie_region(input: &str) -> Result<Option<Region>, FieldError> {
    let text = input.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("geen") {
        return Ok(None);
    }
    Region::parse(text).map(Some).map_err(|e| FieldError::new("medrie-regio", format!("{}, of laat leeg", e.message)))
}

/// The municipalities of seed 000's table, each once, by name, with their Medrie regions and CBS
/// codes where known.
pub fn seed() -> Vec<Municipality> {
    let mut all: Vec<Municipality> = Vec::new();
    for (zk, names) in ZK_REGIONS {
        for name in *names {
            match all.iter_mut().find(|m| m.name == *name) {
                Some(m) => m.zk_regions.push(zk.to_string()),
                None => all.push(Municipality::new(
                    name,
                    CBS_CODES.iter().find(|(n, _)| n == name).map(|(_, c)| *c),
                    &[zk],
                    MEDRIE_REGIONS.iter().find(|(n, _)| n == name).map(|(_, r)| *r),
                )),
            }
        }
    }
    all.sort_by_key(|m| Municipality::key(&m.name));
    all
}

/// Every municipality known, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MunicipalityList {
    all: Vec<Municipality>,
}

impl MunicipalityList {
    pub fn new(mut all: Vec<Municipality>) -> Self {
        all.sort_by_key(|m| Municipality::key(&m.name));
        Self { all }
    }

    /// The list of seed 000 (before anything was added or merged).
    pub fn seeded() -> Self {
        Self::new(seed())
    }

    pub fn all(&self) -> &[Municipality] {
        &self.all
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The municipality of this name (any case, trimmed), merged or not.
    pub fn get(&self, name: &str) -> Option<&Municipality> {
        let key = Municipality::key(name);
        self.all.iter().find(|m| Municipality::key(&m.name) == key)
    }

    /// A municipality typed in, in its own spelling.
    pub fn find(&self, input: &str) -> Result<&Municipality, FieldError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(FieldError::new("gemeente", "vul een gemeente in"));
        }
        self.get(text).ok_or_else(|| {
            FieldError::new(
                "gemeente",
                format!("'{text}' staat niet in de gemeentetabel; een beheerder voegt een gemeente toe op Gemeenten"),
            )
        })
    }

    /// The municipality it is now: itself, or the one it merged into (followed through later
    /// mergers).
    pub fn current<'a>(&'a self, municipality: &'a Municipality) -> &'a Municipality {
        let mut now = municipality;
        for _ in 0..MERGER_DEPTH {
            match now.merged_into.as_ref().and_then(|m| self.get(&m.into)) {
                Some(next) => now = next,
                None => break,
            }
        }
        now
    }

    /// The Medrie region a municipality belongs to: its own, or (when it has none of its own) that
    /// of the municipality it merged into.
    pub fn region_of(&self, name: &str) -> Option<Region> {
        let m = self.get(name)?;
        m.medrie_region.or_else(|| self.current(m).medrie_region)
    }

    /// How a municipality is shown: its name, and the one it is part of now after a merger,
    /// "Zeevang (nu Edam-Volendam)".
    pub fn display(&self, name: &str) -> String {
        match self.get(name) {
            Some(m) if m.merged_into.is_some() => format!("{} (nu {})", m.name, self.current(m).name),
            Some(m) => m.name.clone(),
            None => name.trim().to_string(),
        }
    }

    /// The municipality of a network of `region`: found in the list, and belonging (itself or
    /// after a merger) to that Medrie region. Zwolle + Amsterdam is refused.
    pub fn for_network(&self, region: Region, input: &str) -> Result<&Municipality, FieldError> {
        let m = self.find(input)?;
        match self.region_of(&m.name) {
            Some(r) if r == region => Ok(m),
            Some(other) => Err(FieldError::new(
                "gemeente",
                format!("{} hoort bij regio {}, niet bij {}", m.name, other.name(), region.name()),
            )),
            None => Err(FieldError::new(
                "gemeente",
                format!(
                    "{} ligt buiten de Medrie-regio's; een netwerk van regio {} ligt in een gemeente van {}",
                    m.name,
                    region.name(),
                    region.name()
                ),
            )),
        }
    }

    /// May S1 data of `year` be recorded for this municipality? Not for a year that starts on or
    /// after its merger: that year belongs to the new municipality.
    pub fn for_s1_year(&self, input: &str, year: i32) -> Result<&Municipality, FieldError> {
        let m = self.find(input)?;
        if let Some(merger) = &m.merged_into
            && NaiveDate::from_ymd_opt(year, 1, 1).is_some_and(|first| first >= merger.from)
        {
            return Err(FieldError::new(
                "gemeente",
                format!(
                    "{} is per {} opgegaan in {}; leg S1 {year} vast bij {}",
                    m.name,
                    format_date(merger.from),
                    merger.into,
                    self.current(m).name
                ),
            ));
        }
        Ok(m)
    }

    /// A new municipality, checked against the list: its own fields, and a name not yet taken.
    pub fn adding(&self, new: &Municipality) -> Result<Municipality, FieldError> {
        new.validate()?;
        if let Some(known) = self.get(&new.name) {
            return Err(FieldError::new("naam", format!("{} staat al in de gemeentetabel", known.name)));
        }
        let mut new = new.clone();
        new.name = new.name.trim().to_string();
        new.merged_into = None;
        Ok(new)
    }

    /// A merger: the old municipalities (each in the list, not merged yet, not the new one) go up in
    /// `into` (in the list) from `from`. Returns the old municipalities as they are after it. The
    /// new municipality keeps its own Medrie region; an old one of another Medrie region is refused
    /// (its networks would then lie in the wrong region).
    pub fn merging(&self, old: &[String], into: &str, from: NaiveDate) -> Result<Vec<Municipality>, FieldError> {
        let new = self.find(into).map_err(|e| FieldError::new("nieuwe gemeente", e.message))?;
        if new.merged_into.is_some() {
            return Err(FieldError::new("nieuwe gemeente", format!("{} is zelf al opgegaan in een andere", new.name)));
        }
        let mut out: Vec<Municipality> = Vec::new();
        for name in old.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let m = self.find(name).map_err(|e| FieldError::new("oude gemeenten", e.message))?;
            let refuse = |text: String| Err(FieldError::new("oude gemeenten", text));
            if Municipality::key(&m.name) == Municipality::key(&new.name) {
                return refuse(format!("{} kan niet in zichzelf opgaan", m.name));
            }
            if let Some(merger) = &m.merged_into {
                return refuse(format!(
                    "{} is al per {} opgegaan in {}",
                    m.name,
                    format_date(merger.from),
                    merger.into
                ));
            }
            if m.medrie_region.is_some() && new.medrie_region.is_some() && m.medrie_region != new.medrie_region {
                return refuse(format!(
                    "{} hoort bij regio {}, {} bij {}",
                    m.name,
                    m.medrie_region.map_or("", Region::name),
                    new.name,
                    new.medrie_region.map_or("", Region::name)
                ));
            }
            if out.iter().any(|o| o.name == m.name) {
                return refuse(format!("{} staat er twee keer", m.name));
            }
            out.push(Municipality { merged_into: Some(Merger { into: new.name.clone(), from }), ..m.clone() });
        }
        if out.is_empty() {
            return Err(FieldError::new("oude gemeenten", "noem de gemeenten die opgaan in de nieuwe"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_seed_is_seed_000_with_medrie_regions() {
        let list = MunicipalityList::seeded();
        assert_eq!(list.all().len(), 95, "96 entries, Rotterdam twice");
        let rotterdam = list.get("rotterdam").unwrap();
        assert_eq!(rotterdam.zk_regions.len(), 2);
        assert_eq!(rotterdam.cbs_code.as_deref(), Some("0599"));
        assert_eq!(list.region_of("Almere"), Some(Region::Flevoland));
        assert_eq!(list.region_of("Zeewolde"), Some(Region::Flevoland));
        assert_eq!(list.region_of("Ommen"), Some(Region::Hardenberg));
        assert_eq!(list.region_of("Kampen"), Some(Region::Zwolle));
        assert_eq!(list.region_of("Amsterdam"), None);
        assert_eq!(list.all().iter().filter(|m| m.medrie_region.is_some()).count(), MEDRIE_REGIONS.len());
        assert!(list.find("Raalte").unwrap_err().message.contains("gemeentetabel"));
        assert_eq!(list.find(" ALMERE ").unwrap().name, "Almere");
    }

    /// CBS's own `statcode` and `statnaam` of 2025 for the municipalities whose code we carry:
    /// PDOK's "CBS gebiedsindelingen 2025" as kept in github.com/cartomap/nl,
    /// `rd/gemeente_2025.topojson`, commit 01e3b4cea860e7bb5dc3bddbfff72d3e4f4709e6.
    const CBS_2025: &[(&str, &str)] = &[
        ("GM0034", "Almere"),
        ("GM0050", "Zeewolde"),
        ("GM0148", "Dalfsen"),
        ("GM0160", "Hardenberg"),
        ("GM0166", "Kampen"),
        ("GM0171", "Noordoostpolder"),
        ("GM0175", "Ommen"),
        ("GM0180", "Staphorst"),
        ("GM0184", "Urk"),
        ("GM0193", "Zwolle"),
        ("GM0303", "Dronten"),
        ("GM0344", "Utrecht"),
        ("GM0363", "Amsterdam"),
        ("GM0599", "Rotterdam"),
        ("GM0995", "Lelystad"),
        ("GM1708", "Steenwijkerland"),
        ("GM1896", "Zwartewaterland"),
    ];

    #[test]
    fn cbs_codes_are_those_of_cbs_2025() {
        let mut ours: Vec<(String, &str)> = CBS_CODES.iter().map(|(name, code)| (format!("GM{code}"), *name)).collect();
        ours.sort();
        let cbs: Vec<(String, &str)> = CBS_2025.iter().map(|(code, name)| (code.to_string(), *name)).collect();
        assert_eq!(ours, cbs);
        // The seed carries them, and every municipality of a Medrie region has one.
        let list = MunicipalityList::seeded();
        for (code, name) in CBS_2025 {
            let m = list.get(name).unwrap();
            assert_eq!(m.cbs_code.as_deref().map(|c| format!("GM{c}")).as_deref(), Some(*code), "{name}");
        }
        assert!(list.all().iter().filter(|m| m.medrie_region.is_some()).all(|m| m.cbs_code.is_some()));
        assert_eq!(list.all().iter().filter(|m| m.cbs_code.is_some()).count(), CBS_2025.len());
    }

    #[test]
    fn a_network_lies_in_a_municipality_of_its_region() {
        let list = MunicipalityList::seeded();
        assert_eq!(list.for_network(Region::Zwolle, "zwolle").unwrap().name, "Zwolle");
        let e = list.for_network(Region::Zwolle, "Amsterdam").unwrap_err();
        assert_eq!(e.field, "gemeente");
        assert!(e.message.contains("Amsterdam ligt buiten de Medrie-regio's"), "{}", e.message);
        let e = list.for_network(Region::Zwolle, "Almere").unwrap_err();
        assert_eq!(e.message, "Almere hoort bij regio Flevoland, niet bij Zwolle");
        assert!(list.for_network(Region::Flevoland, "Almere").is_ok());
        assert!(list.for_network(Region::Hardenberg, "Atlantis").is_err());
    }

    #[test]
    fn adding_raalte() {
        let list = MunicipalityList::seeded();
        let raalte = Municipality::new(" Raalte ", Some("0177"), &[], Some(Region::Zwolle));
        let added = list.adding(&raalte).unwrap();
        assert_eq!(added.name, "Raalte");
        let mut all = list.all().to_vec();
        all.push(added);
        let list = MunicipalityList::new(all);
        assert!(list.for_network(Region::Zwolle, "raalte").is_ok());
        assert_eq!(list.adding(&raalte).unwrap_err().field, "naam", "once");
        let bad = Municipality::new("Olst-Wijhe", Some("12"), &[], None);
        assert_eq!(list.adding(&bad).unwrap_err().field, "cbs-code");
        assert_eq!(parse_cbs_code("GM0177").unwrap().as_deref(), Some("0177"));
        assert_eq!(parse_cbs_code("177").unwrap().as_deref(), Some("0177"));
        assert_eq!(parse_cbs_code("").unwrap(), None);
        assert!(parse_cbs_code("01777").is_err());
        assert_eq!(parse_medrie_region("").unwrap(), None);
        assert_eq!(parse_medrie_region("zwolle").unwrap(), Some(Region::Zwolle));
        assert!(parse_medrie_region("Utrecht").is_err());
    }

    #[test]
    fn a_merger_keeps_the_old_name_readable() {
        let list = MunicipalityList::seeded();
        let old = vec!["Beemster".to_string()];
        let merged = list.merging(&old, "Purmerend", d(2022, 1, 1)).unwrap();
        assert_eq!(merged[0].merged_into, Some(Merger { into: "Purmerend".into(), from: d(2022, 1, 1) }));
        let mut all: Vec<Municipality> = list.all().iter().filter(|m| m.name != "Beemster").cloned().collect();
        all.extend(merged);
        let list = MunicipalityList::new(all);
        assert_eq!(list.find("beemster").unwrap().name, "Beemster");
        assert_eq!(list.display("Beemster"), "Beemster (nu Purmerend)");
        assert_eq!(list.display("Purmerend"), "Purmerend");
        assert!(list.for_s1_year("Beemster", 2021).is_ok(), "the years before stay");
        let e = list.for_s1_year("Beemster", 2022).unwrap_err();
        assert_eq!(e.message, "Beemster is per 01-01-2022 opgegaan in Purmerend; leg S1 2022 vast bij Purmerend");
        assert!(list.merging(&old, "Purmerend", d(2023, 1, 1)).unwrap_err().message.contains("al per"));
        assert!(list.merging(&["Purmerend".into()], "Purmerend", d(2023, 1, 1)).is_err());
        assert!(list.merging(&[], "Purmerend", d(2023, 1, 1)).is_err());
        assert_eq!(list.merging(&["Zeevang".into()], "Atlantis", d(2023, 1, 1)).unwrap_err().field, "nieuwe gemeente");
        let e = list.merging(&["Urk".into()], "Zwolle", d(2023, 1, 1)).unwrap_err();
        assert_eq!(e.message, "Urk hoort bij regio Flevoland, Zwolle bij Zwolle");
    }

    #[test]
    fn a_merged_municipality_follows_the_new_one_into_its_region() {
        let mut all = seed();
        all.push(Municipality::new("Vechtdal", None, &[], Some(Region::Hardenberg)));
        let mut old = Municipality::new("Oud-Ommen", None, &[], None);
        old.merged_into = Some(Merger { into: "Vechtdal".into(), from: d(2024, 1, 1) });
        all.push(old);
        let list = MunicipalityList::new(all);
        assert_eq!(list.region_of("Oud-Ommen"), Some(Region::Hardenberg));
        assert!(list.for_network(Region::Hardenberg, "Oud-Ommen").is_ok());
        assert!(list.for_network(Region::Zwolle, "Oud-Ommen").is_err());
    }
}
