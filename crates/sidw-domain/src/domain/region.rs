//! Regions: the three Medrie regions whose secretariats use sidw, and Zilveren Kruis' table of
//! regions and municipalities (seed 000, "Veelgestelde vragen ... wijkgericht werken"), shipped as
//! reference data.

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// A Medrie region with its own secretariat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Region {
    Zwolle,
    Flevoland,
    Hardenberg,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::Zwolle, Region::Flevoland, Region::Hardenberg];

    pub fn name(self) -> &'static str {
        match self {
            Self::Zwolle => "Zwolle",
            Self::Flevoland => "Flevoland",
            Self::Hardenberg => "Hardenberg",
        }
    }

    /// The regional secretariat's address (handbook, appendix 1).
    pub fn secretariat_email(self) -> &'static str {
        match self {
            Self::Zwolle => "zwolle@medrie.nl",
            Self::Flevoland => "flevoland@medrie.nl",
            Self::Hardenberg => "hardenberg@medrie.nl",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim();
        Self::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(text)).ok_or_else(|| {
            FieldError::new("regio", format!("'{text}' is geen regio; kies Zwolle, Flevoland of Hardenberg"))
        })
    }
}

/// Zilveren Kruis regions and their municipalities, as seed 000 lists them.
///
/// Two readings of the seed's text: "Ommen- Hardenberg" is the two municipalities Ommen and Hardenberg;
/// the lines that break "Utrecht West" and "ZuidWest Drenthe" in two belong to those regions.
pub const ZK_REGIONS: &[(&str, &[&str])] = &[
    ("Midden Kennemerland-IJmond", &["Beverwijk", "Heemskerk", "Velsen"]),
    ("Zuid Kennemerland", &["Bloemendaal", "Haarlem", "Haarlemmerliede en Spaarnwoude", "Heemstede", "Zandvoort"]),
    (
        "Zaanstreek-Waterland",
        &[
            "Beemster",
            "Edam-Volendam",
            "Landsmeer",
            "Oostzaan",
            "Purmerend",
            "Waterland",
            "Wormerland",
            "Zaanstad",
            "Zeevang",
        ],
    ),
    ("Amsterdam en Diemen", &["Amsterdam", "Diemen"]),
    ("Rotterdam - WMO", &["Rotterdam", "Capelle aan den IJssel", "Krimpen aan den IJssel"]),
    ("Rotterdam – Convenant", &["Rotterdam"]),
    ("Gooi- en Vechtstreek", &["Blaricum", "Bussum", "Eemnes", "Hilversum", "Huizen", "Laren", "Muiden", "Naarden"]),
    ("Utrecht West", &["De Ronde Venen", "Montfoort", "Oudewater", "Woerden", "Stichtse Vecht", "Weesp", "Wijdemeren"]),
    ("Utrecht Stad", &["Utrecht"]),
    ("Lekstroom", &["Houten", "IJsselstein", "Lopik", "Nieuwegein", "Vianen"]),
    ("Zuid-Oost Utrecht", &["Bunnik", "De Bilt", "Utrechtse Heuvelrug", "Wijk bij Duurstede", "Zeist"]),
    ("Eemland", &["Amersfoort", "Baarn", "Bunschoten", "Leusden", "Nijkerk", "Soest", "Woudenberg"]),
    ("Flevoland", &["Almere", "Dronten", "Lelystad", "Noordoostpolder", "Urk"]),
    ("Noord Veluwe", &["Elburg", "Ermelo", "Harderwijk", "Nunspeet", "Oldebroek", "Putten", "Zeewolde"]),
    (
        "IJsselvecht",
        &["Zwolle", "Staphorst", "Zwartewaterland", "Ommen", "Hardenberg", "Kampen", "Steenwijkerland", "Dalfsen"],
    ),
    ("Midden IJssel/Oost Veluwe", &["Apeldoorn", "Brummen", "Epe", "Hattem", "Heerde", "Lochem", "Voorst", "Zutphen"]),
    ("ZuidWest Drenthe", &["Hoogeveen", "De Wolden", "Meppel", "Westerveld"]),
    ("ZuidOost Drenthe", &["Borger-Odoorn", "Coevorden", "Emmen"]),
    ("NoordMidden Drenthe", &["Assen", "Noordenveld", "Tynaarlo", "Aa en Hunze", "Midden-Drenthe"]),
];

/// Every municipality of the reference table once, sorted (the seed of the municipality records,
/// [`super::municipality_list`]: what is known now is in the store).
pub fn municipalities() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = ZK_REGIONS.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The Zilveren Kruis regions a municipality lies in (Rotterdam lies in two).
pub fn zk_regions_of(municipality: &str) -> Vec<&'static str> {
    ZK_REGIONS
        .iter()
        .filter(|(_, ms)| ms.iter().any(|m| m.eq_ignore_ascii_case(municipality)))
        .map(|(r, _)| *r)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_table_holds_the_seed() {
        assert_eq!(ZK_REGIONS.len(), 19);
        assert_eq!(zk_regions_of("Almere"), vec!["Flevoland"]);
        assert_eq!(zk_regions_of("zwolle"), vec!["IJsselvecht"]);
        assert_eq!(zk_regions_of("Hardenberg"), vec!["IJsselvecht"]);
        assert_eq!(zk_regions_of("Rotterdam").len(), 2);
        let all = municipalities();
        assert!(all.contains(&"Westerveld") && all.contains(&"Wijdemeren") && all.contains(&"Ommen"));
        assert_eq!(all.len(), 95, "96 entries, Rotterdam twice");
    }

    #[test]
    fn medrie_regions() {
        assert_eq!(Region::parse("flevoland").unwrap(), Region::Flevoland);
        assert_eq!(Region::Hardenberg.secretariat_email(), "hardenberg@medrie.nl");
        assert!(Region::parse("Utrecht").is_err());
    }
}
