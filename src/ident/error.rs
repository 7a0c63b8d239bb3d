//! Why an identifier is invalid: one error per value, with a stable code.
//!
//! Checks always run in the order of SPEC.md section 4, so one input always
//! gets the same reason. Messages are lower case with no trailing period, so
//! they compose after a `row 12, column GSTIN:` prefix. Positions are 1-based
//! character positions in the normalised value.

use std::fmt;

use super::Kind;

/// The stable, machine-readable code of an [`IdError`], in SPEC.md's check
/// order (the derived `Ord` follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// No value at all.
    Empty,
    /// `strict` only: the value needed normalising.
    NotCanonical,
    /// Wrong number of characters.
    Length,
    /// A character outside `0-9A-Z`.
    Character,
    /// Unknown state code.
    StateCode,
    /// A retired state code (25 or 28).
    StateRetired,
    /// The characters fit no layout.
    Format,
    /// The PAN's 4th character is not a holder type.
    PanHolderType,
    /// The PAN's serial is `0000`.
    PanSerial,
    /// The GSTIN's entity number (13th character) is `0`.
    EntityNumber,
    /// Wrong GSTIN check character.
    Checksum,
}

impl ErrorCode {
    /// Every code, in check order.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Empty,
        ErrorCode::NotCanonical,
        ErrorCode::Length,
        ErrorCode::Character,
        ErrorCode::StateCode,
        ErrorCode::StateRetired,
        ErrorCode::Format,
        ErrorCode::PanHolderType,
        ErrorCode::PanSerial,
        ErrorCode::EntityNumber,
        ErrorCode::Checksum,
    ];

    /// The snake_case code written to reports; never changes once released.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Empty => "empty",
            ErrorCode::NotCanonical => "not_canonical",
            ErrorCode::Length => "length",
            ErrorCode::Character => "character",
            ErrorCode::StateCode => "state_code",
            ErrorCode::StateRetired => "state_retired",
            ErrorCode::Format => "format",
            ErrorCode::PanHolderType => "pan_holder_type",
            ErrorCode::PanSerial => "pan_serial",
            ErrorCode::EntityNumber => "entity_number",
            ErrorCode::Checksum => "checksum",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value is not a valid GSTIN or PAN.
///
/// Built only on the failure path, so it may carry owned detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Blank after normalising.
    #[error("no value")]
    Empty,
    /// `strict` mode and the value needed normalising.
    #[error("not in canonical form: normalised it reads {normalized}")]
    NotCanonical {
        /// What normalising produced.
        normalized: String,
    },
    /// Wrong number of characters (Unicode scalar values, not bytes).
    #[error("{}", length_message(*.kind, *.found, *.note))]
    Length {
        /// What was expected; `None` when either a GSTIN or a PAN would do.
        kind: Option<Kind>,
        /// How many characters the normalised value has.
        found: usize,
        /// What the value looks like instead, where that is known.
        note: Option<&'static str>,
    },
    /// A character outside `0-9A-Z`.
    #[error("character {} at position {pos} is not a letter A-Z or digit 0-9", super::hidden::describe(*.ch))]
    Character {
        /// The offending character.
        ch: char,
        /// Its 1-based position.
        pos: usize,
    },
    /// A byte that is not UTF-8 text (the file is in another encoding);
    /// its code is `character`.
    #[error(
        "byte 0x{byte:02X} at position {pos} is not UTF-8 text (is the file in another encoding, \
         such as Windows-1252? save it as UTF-8)"
    )]
    Byte {
        /// The first byte that is not UTF-8.
        byte: u8,
        /// Its 1-based character position.
        pos: usize,
    },
    /// Characters 1-2 are no GST state or UT code.
    #[error("unknown state code {code} at positions 1-2")]
    StateCode {
        /// The two characters found.
        code: String,
    },
    /// A state code that no longer issues GSTINs.
    #[error("state code {code:02} is retired: {note}")]
    StateRetired {
        /// The retired code.
        code: u8,
        /// What happened to it (SPEC.md section 1.2).
        note: &'static str,
    },
    /// The characters fit none of the layouts.
    #[error("{}", format_message(*.kind, .layout, *.pos, .expected, *.found, *.note))]
    Format {
        /// GSTIN or PAN.
        kind: Kind,
        /// The nearest layout's name.
        layout: &'static str,
        /// The first position that breaks the nearest layout.
        pos: usize,
        /// What that layout wants there.
        expected: &'static str,
        /// What is there.
        found: char,
        /// What the value looks like instead, where that is known.
        note: Option<&'static str>,
    },
    /// The PAN's 4th character is no holder type.
    #[error("{found:?} at position {pos} is not a PAN holder type (one of P C H F A T B L J G)")]
    PanHolderType {
        /// 1-based position (4 in a PAN, 6 in a GSTIN).
        pos: usize,
        /// The character found.
        found: char,
    },
    /// The PAN's serial is `0000`.
    #[error("PAN serial at positions {}-{} is 0000, which is never issued", .pos, .pos + 3)]
    PanSerial {
        /// 1-based position of the serial's first digit.
        pos: usize,
    },
    /// The GSTIN's entity number is `0`.
    #[error("entity number at position 13 is 0; it runs 1-9 then A-Z")]
    EntityNumber,
    /// The check character is wrong.
    #[error("check character at position 15 should be {expected:?}, found {found:?}")]
    Checksum {
        /// What Luhn mod 36 gives.
        expected: char,
        /// What the value has.
        found: char,
    },
}

impl IdError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            IdError::Empty => ErrorCode::Empty,
            IdError::NotCanonical { .. } => ErrorCode::NotCanonical,
            IdError::Length { .. } => ErrorCode::Length,
            IdError::Character { .. } | IdError::Byte { .. } => ErrorCode::Character,
            IdError::StateCode { .. } => ErrorCode::StateCode,
            IdError::StateRetired { .. } => ErrorCode::StateRetired,
            IdError::Format { .. } => ErrorCode::Format,
            IdError::PanHolderType { .. } => ErrorCode::PanHolderType,
            IdError::PanSerial { .. } => ErrorCode::PanSerial,
            IdError::EntityNumber => ErrorCode::EntityNumber,
            IdError::Checksum { .. } => ErrorCode::Checksum,
        }
    }
}

fn length_message(kind: Option<Kind>, found: usize, note: Option<&str>) -> String {
    let want = match kind {
        Some(Kind::Gstin) => "a GSTIN has 15 characters",
        Some(Kind::Pan) => "a PAN has 10 characters",
        None => "a GSTIN has 15 characters and a PAN 10",
    };
    let plural = if found == 1 { "" } else { "s" };
    match note {
        Some(note) => format!("{note}; {want}, found {found} character{plural}"),
        None => format!("{want}, found {found} character{plural}"),
    }
}

fn format_message(
    kind: Kind,
    layout: &str,
    pos: usize,
    expected: &str,
    found: char,
    note: Option<&str>,
) -> String {
    let what = match kind {
        Kind::Gstin => "fits no GSTIN layout",
        Kind::Pan => "does not fit the PAN layout",
    };
    let base = format!(
        "{what}: nearest is {layout}, which needs {expected} at position {pos}, found {found:?}"
    );
    match note {
        Some(note) => format!("{note}; {base}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case_and_in_order() {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = ErrorCode::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, ErrorCode::ALL.to_vec());
        let mut uniq = names.clone();
        uniq.dedup();
        assert_eq!(uniq.len(), 11);
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn messages_are_lower_case_without_trailing_period() {
        let errors = [
            IdError::Empty,
            IdError::Character { ch: '\u{a0}', pos: 3 },
            IdError::Checksum { expected: 'V', found: 'X' },
            IdError::Length { kind: None, found: 1, note: None },
            IdError::Byte { byte: 0xFF, pos: 2 },
        ];
        for e in errors {
            let m = e.to_string();
            assert!(!m.ends_with('.'), "{m}");
            assert!(!m.starts_with(|c: char| c.is_ascii_uppercase()), "{m}");
        }
        assert_eq!(
            IdError::Character { ch: '\u{a0}', pos: 3 }.to_string(),
            "character U+00A0 at position 3 is not a letter A-Z or digit 0-9"
        );
    }
}
