//! GST state and union territory codes (SPEC.md section 1.2).
//!
//! The table is SPEC.md's, not python-stdnum's: it has 38 (Ladakh) and 97
//! (Other Territory), and marks 25 (Daman and Diu) and 28 (undivided Andhra
//! Pradesh) as retired. 96 is a place-of-supply code, never a GSTIN prefix.

/// Whether a code still issues GSTINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateStatus {
    /// In use.
    Active,
    /// No longer issues GSTINs; the text says what happened to it.
    Retired(&'static str),
}

/// One GST state or union territory code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The numeric code, 1 to 99.
    pub code: u8,
    /// The name as GSTN writes it.
    pub name: &'static str,
    /// Active or retired.
    pub status: StateStatus,
}

impl State {
    /// The two-digit code as text, e.g. `"07"`.
    pub fn code_str(&self) -> &'static str {
        let i = 2 * self.code as usize;
        &CODE_STR[i..i + 2]
    }

    /// Whether the code is retired.
    pub fn is_retired(&self) -> bool {
        matches!(self.status, StateStatus::Retired(_))
    }
}

const fn active(code: u8, name: &'static str) -> State {
    State { code, name, status: StateStatus::Active }
}

/// Every known code, in code order.
pub const STATES: [State; 40] = [
    active(1, "Jammu and Kashmir"),
    active(2, "Himachal Pradesh"),
    active(3, "Punjab"),
    active(4, "Chandigarh"),
    active(5, "Uttarakhand"),
    active(6, "Haryana"),
    active(7, "Delhi"),
    active(8, "Rajasthan"),
    active(9, "Uttar Pradesh"),
    active(10, "Bihar"),
    active(11, "Sikkim"),
    active(12, "Arunachal Pradesh"),
    active(13, "Nagaland"),
    active(14, "Manipur"),
    active(15, "Mizoram"),
    active(16, "Tripura"),
    active(17, "Meghalaya"),
    active(18, "Assam"),
    active(19, "West Bengal"),
    active(20, "Jharkhand"),
    active(21, "Odisha"),
    active(22, "Chhattisgarh"),
    active(23, "Madhya Pradesh"),
    active(24, "Gujarat"),
    State {
        code: 25,
        name: "Daman and Diu",
        status: StateStatus::Retired(
            "Daman and Diu merged into 26 on 2020-01-26 and its taxpayers got new 26 GSTINs \
             from 2020-08-01",
        ),
    },
    active(26, "Dadra and Nagar Haveli and Daman and Diu"),
    active(27, "Maharashtra"),
    State {
        code: 28,
        name: "Andhra Pradesh (before division)",
        status: StateStatus::Retired(
            "28 was undivided Andhra Pradesh; Andhra Pradesh is 37 and Telangana 36",
        ),
    },
    active(29, "Karnataka"),
    active(30, "Goa"),
    active(31, "Lakshadweep"),
    active(32, "Kerala"),
    active(33, "Tamil Nadu"),
    active(34, "Puducherry"),
    active(35, "Andaman and Nicobar Islands"),
    active(36, "Telangana"),
    active(37, "Andhra Pradesh"),
    active(38, "Ladakh"),
    active(97, "Other Territory"),
    active(99, "Centre Jurisdiction"),
];

/// Two-digit text of 00 to 99, sliced by `code_str` so it never allocates.
const CODE_STR: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
                        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
                        8081828384858687888990919293949596979899";

/// Index from code to position in [`STATES`]; `u8::MAX` means unknown.
const INDEX: [u8; 100] = {
    let mut index = [u8::MAX; 100];
    let mut i = 0;
    while i < STATES.len() {
        index[STATES[i].code as usize] = i as u8;
        i += 1;
    }
    index
};

/// The state for a numeric code, if it is one of SPEC.md's.
///
/// ```
/// use gstbatch::ident::state::by_code;
/// assert_eq!(by_code(27).unwrap().name, "Maharashtra");
/// assert!(by_code(96).is_none());
/// ```
pub fn by_code(code: u8) -> Option<&'static State> {
    match INDEX.get(code as usize) {
        Some(&i) if i != u8::MAX => Some(&STATES[i as usize]),
        _ => None,
    }
}

/// The state for the two ASCII digits that open a GSTIN.
pub fn by_digits(two: [u8; 2]) -> Option<&'static State> {
    if two[0].is_ascii_digit() && two[1].is_ascii_digit() {
        by_code((two[0] - b'0') * 10 + (two[1] - b'0'))
    } else {
        None
    }
}

/// Other names people write for states and UTs, keyed like [`name_key`],
/// with the codes each may stand for. Names of territories that were split
/// or merged match every code that covered them: `Daman and Diu` is 25 and,
/// since the merger, 26; undivided Andhra Pradesh (28) covered today's 36
/// and 37.
const ALIASES: &[(&str, &[u8])] = &[
    ("jk", &[1]),
    ("jammukashmir", &[1]),
    ("hp", &[2]),
    ("pb", &[3]),
    ("ch", &[4]),
    ("uk", &[5]),
    ("ut", &[5]),
    ("uttaranchal", &[5]),
    ("hr", &[6]),
    ("dl", &[7]),
    ("nctofdelhi", &[7]),
    ("newdelhi", &[7]),
    ("rj", &[8]),
    ("up", &[9]),
    ("br", &[10]),
    ("sk", &[11]),
    ("ar", &[12]),
    ("nl", &[13]),
    ("mn", &[14]),
    ("mz", &[15]),
    ("tr", &[16]),
    ("ml", &[17]),
    ("as", &[18]),
    ("wb", &[19]),
    ("jh", &[20]),
    ("od", &[21]),
    ("or", &[21]),
    ("orissa", &[21]),
    ("cg", &[22]),
    ("ct", &[22]),
    ("chattisgarh", &[22]),
    ("mp", &[23]),
    ("gj", &[24]),
    ("dd", &[25, 26]),
    ("damandiu", &[25, 26]),
    ("dn", &[26]),
    ("dnhdd", &[26]),
    ("dadranagarhaveli", &[26]),
    ("dadranagarhavelidamandiu", &[26]),
    ("mh", &[27]),
    ("andhrapradeshbeforedivision", &[28]),
    ("ka", &[29]),
    ("ga", &[30]),
    ("ld", &[31]),
    ("kl", &[32]),
    ("tn", &[33]),
    ("py", &[34]),
    ("pondicherry", &[34]),
    ("pondy", &[34]),
    ("an", &[35]),
    ("andamannicobar", &[35]),
    ("andamannicobarislands", &[35]),
    ("ts", &[36, 28]),
    ("tg", &[36, 28]),
    ("telangana", &[36, 28]),
    ("ap", &[37, 28]),
    ("andhrapradesh", &[37, 28]),
    ("la", &[38]),
    ("oidar", &[99]),
    ("centrejurisdiction", &[99]),
    ("centraljurisdiction", &[99]),
    ("othercountry", &[97]),
    ("otherterritory", &[97]),
];

/// The comparison key of a state name: ASCII letters and digits lower-cased,
/// `&` and the word `and` dropped, everything else ignored.
///
/// ```
/// use gstbatch::ident::state::name_key;
/// assert_eq!(name_key("Andaman & Nicobar"), name_key("andaman and nicobar"));
/// ```
pub fn name_key(name: &str) -> String {
    let mut words = Vec::new();
    let mut word = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            word.push(ch.to_ascii_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words.retain(|w| w != "and" && w != "the" && w != "of");
    words.concat()
}

/// Whether a state-column value (a code such as `27` or `7`, a name such as
/// `Maharashtra` or `Orissa`, or a common abbreviation such as `MH`) can
/// mean the state with code `code` (SPEC.md section 1.2).
///
/// ```
/// use gstbatch::ident::state::matches_code;
/// assert!(matches_code("Pondicherry", 34));
/// assert!(matches_code("07", 7));
/// assert!(!matches_code("Kerala", 33));
/// ```
pub fn matches_code(value: &str, code: u8) -> bool {
    codes_for(value).contains(&code)
}

/// The codes a state-column value can stand for; empty when it names
/// nothing known, or when it gives a code and a name that disagree (see
/// [`read`]).
pub fn codes_for(value: &str) -> Vec<u8> {
    match read(value) {
        Cell::Codes(codes) => codes,
        Cell::Conflict { .. } => Vec::new(),
    }
}

/// What a state-column value says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// The codes it can stand for; empty when it names nothing known.
    Codes(Vec<u8>),
    /// A code and a name of different states (`27-Karnataka`).
    Conflict {
        /// The code given.
        code: u8,
        /// The codes the name stands for.
        named: Vec<u8>,
    },
}

/// Reads a state-column value: a code (`27`, `7`), a name (`Maharashtra`,
/// `Orissa`, `MH`), or both as GST returns, the portal's Excel files and
/// Tally write the place of supply: `27-Maharashtra`, `27 - Maharashtra`,
/// `(27) Maharashtra`, `Maharashtra (27)`.
///
/// ```
/// use gstbatch::ident::state::{Cell, read};
/// assert_eq!(read("27-Maharashtra"), Cell::Codes(vec![27]));
/// assert_eq!(read("(07) Delhi"), Cell::Codes(vec![7]));
/// assert_eq!(read("27-Karnataka"), Cell::Conflict { code: 27, named: vec![29] });
/// ```
pub fn read(value: &str) -> Cell {
    let trimmed = value.trim();
    let (code, name) = split_code(trimmed);
    let code = match code {
        Some(digits) => match digits.parse::<u8>().ok().and_then(by_code) {
            Some(s) => Some(s.code),
            None => return Cell::Codes(Vec::new()),
        },
        None => None,
    };
    let named = if name.is_empty() { None } else { Some(codes_of_name(name)) };
    match (code, named) {
        (Some(c), None) => Cell::Codes(vec![c]),
        (None, Some(named)) => Cell::Codes(named),
        (Some(c), Some(named)) if named.contains(&c) => Cell::Codes(vec![c]),
        // A name of no state beside a code: nothing known, not a conflict.
        (Some(_), Some(named)) if named.is_empty() => Cell::Codes(Vec::new()),
        (Some(code), Some(named)) => Cell::Conflict { code, named },
        (None, None) => Cell::Codes(Vec::new()),
    }
}

/// Splits a leading (`27-`, `27 `, `(27)`) or trailing (`(27)`) state code
/// of one or two digits from the name beside it.
fn split_code(text: &str) -> (Option<&str>, &str) {
    let digits = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|b| b.is_ascii_digit());
    let separators: &[char] = &['-', '\u{2013}', '\u{2014}', ':', '.', ',', '/', ' ', '\t'];
    if digits(text) {
        return (Some(text), "");
    }
    if let Some(rest) = text.strip_prefix('(')
        && let Some((inside, after)) = rest.split_once(')')
        && digits(inside.trim())
    {
        return (Some(inside.trim()), after.trim_start_matches(separators).trim());
    }
    if let Some(before) = text.strip_suffix(')')
        && let Some((name, inside)) = before.rsplit_once('(')
        && digits(inside.trim())
    {
        return (Some(inside.trim()), name.trim_end_matches(separators).trim());
    }
    let lead = text.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&lead) && text[lead..].starts_with(separators) {
        return (Some(&text[..lead]), text[lead..].trim_start_matches(separators).trim());
    }
    (None, text)
}

/// The codes a state's name (or alias) stands for.
fn codes_of_name(trimmed: &str) -> Vec<u8> {
    let key = name_key(trimmed);
    if key.is_empty() {
        return Vec::new();
    }
    if let Some((_, codes)) = ALIASES.iter().find(|(k, _)| *k == key) {
        return codes.to_vec();
    }
    STATES.iter().filter(|s| name_key(s.name) == key).map(|s| s.code).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_1_2_state_names_match_loosely() {
        let table: &[(&str, u8)] = &[
            ("Maharashtra", 27),
            ("MAHARASHTRA", 27),
            ("maharashtra.", 27),
            ("27", 27),
            ("7", 7),
            ("Orissa", 21),
            ("Odisha", 21),
            ("Pondicherry", 34),
            ("Andaman & Nicobar", 35),
            ("Andaman and Nicobar Islands", 35),
            ("Dadra & Nagar Haveli", 26),
            ("Dadra and Nagar Haveli and Daman and Diu", 26),
            ("Daman & Diu", 26),
            ("Daman and Diu", 25),
            ("J&K", 1),
            ("Jammu & Kashmir", 1),
            ("Ladakh", 38),
            ("Telangana", 36),
            ("Andhra Pradesh", 37),
            ("Andhra Pradesh", 28),
            ("Other Territory", 97),
            ("Centre Jurisdiction", 99),
            ("Uttaranchal", 5),
            ("MH", 27),
            ("Tamil Nadu", 33),
        ];
        for &(name, code) in table {
            assert!(matches_code(name, code), "{name} should match {code}");
        }
        for (name, code) in [("Kerala", 33), ("Delhi", 6), ("", 27), ("Atlantis", 27), ("96", 96)] {
            assert!(!matches_code(name, code), "{name} should not match {code}");
        }
        // Every official name matches its own code.
        for s in &STATES {
            assert!(matches_code(s.name, s.code), "{}", s.name);
            assert!(matches_code(s.code_str(), s.code), "{}", s.name);
        }
    }

    #[test]
    fn place_of_supply_forms_give_the_code_and_name_together() {
        for form in [
            "27-Maharashtra",
            "27 - Maharashtra",
            "27 – Maharashtra",
            "27:Maharashtra",
            "(27) Maharashtra",
            "( 27 ) Maharashtra",
            "Maharashtra (27)",
            "27 Maharashtra",
            " 27-MAHARASHTRA ",
            "27",
            "Maharashtra",
            "27-MH",
        ] {
            assert_eq!(read(form), Cell::Codes(vec![27]), "{form}");
        }
        assert_eq!(read("07-Delhi"), Cell::Codes(vec![7]));
        assert_eq!(read("7-Delhi"), Cell::Codes(vec![7]));
        assert_eq!(read("26-Daman and Diu"), Cell::Codes(vec![26]));
        assert_eq!(read("37-Andhra Pradesh"), Cell::Codes(vec![37]));
        assert_eq!(read("97-Other Territory"), Cell::Codes(vec![97]));
        assert_eq!(read("27-Karnataka"), Cell::Conflict { code: 27, named: vec![29] });
        assert_eq!(read("(29) Maharashtra"), Cell::Conflict { code: 29, named: vec![27] });
        assert_eq!(read("Kerala (33)"), Cell::Conflict { code: 33, named: vec![32] });
        // A code of no state, a name of none beside a code, and numbers
        // that are not a code: nothing known.
        for nothing in ["00-Maharashtra", "27-Atlantis", "270-Maharashtra", "27x", "", "-", "()"] {
            assert_eq!(read(nothing), Cell::Codes(Vec::new()), "{nothing}");
        }
        assert!(codes_for("27-Karnataka").is_empty());
    }

    #[test]
    fn spec_1_2_every_code_is_known_and_nothing_else() {
        let known: Vec<u8> = (1..=38).chain([97, 99]).collect();
        for code in 0..100u8 {
            let state = by_code(code);
            assert_eq!(state.is_some(), known.contains(&code), "code {code}");
            if let Some(s) = state {
                assert_eq!(s.code, code);
                assert_eq!(s.code_str(), format!("{code:02}"));
            }
        }
        assert!(by_code(100).is_none());
        assert!(by_code(255).is_none());
    }

    #[test]
    fn spec_1_2_exactly_25_and_28_are_retired() {
        let retired: Vec<u8> = STATES.iter().filter(|s| s.is_retired()).map(|s| s.code).collect();
        assert_eq!(retired, [25, 28]);
    }

    #[test]
    fn spec_1_2_names() {
        assert_eq!(by_code(38).unwrap().name, "Ladakh");
        assert_eq!(by_code(26).unwrap().name, "Dadra and Nagar Haveli and Daman and Diu");
        assert_eq!(by_code(37).unwrap().name, "Andhra Pradesh");
        assert_eq!(by_code(97).unwrap().name, "Other Territory");
        assert_eq!(by_digits(*b"07").unwrap().name, "Delhi");
        assert!(by_digits(*b"0A").is_none());
        assert!(by_digits(*b"96").is_none());
    }
}
