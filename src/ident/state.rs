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

#[cfg(test)]
mod tests {
    use super::*;

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
