//! Table tests for the identifier rules; each names the SPEC.md section it
//! covers.

use super::checksum::{ALPHABET, check_char};
use super::*;

pub(super) const STRICT: Options = Options { strict: true, allow_retired: false };
const RETIRED_OK: Options = Options { strict: false, allow_retired: true };

fn gstin_code(input: &str, opts: Options) -> Option<ErrorCode> {
    Gstin::parse_with(input, opts).err().map(|e| e.code())
}

fn pan_code(input: &str, opts: Options) -> Option<ErrorCode> {
    Pan::parse_with(input, opts).err().map(|e| e.code())
}

/// Appends the right check character to a 14-character body.
pub(super) fn with_check(body: &str) -> String {
    let b: [u8; 14] = body.as_bytes().try_into().expect("14 bytes");
    format!("{body}{}", check_char(&b) as char)
}

#[test]
fn spec_1_3_worked_examples_are_valid() {
    for (g, reg) in [
        ("27AAPFU0939F1ZV", RegistrationType::Regular),
        ("06DELI09652G1DA", RegistrationType::Tds),
        ("9917SGP29001OST", RegistrationType::Oidar),
        ("0717UNO00157UNO", RegistrationType::Uin),
    ] {
        let parsed: Gstin = g.parse().unwrap_or_else(|e| panic!("{g}: {e}"));
        assert_eq!(parsed.registration_type(), reg, "{g}");
        assert_eq!(parsed.to_string(), g);
    }
}

#[test]
fn spec_1_1_every_registration_type_valid() {
    let table = [
        ("9917SGP29001OST", RegistrationType::Oidar, None, None),
        ("0718USA00001NR8", RegistrationType::Nrtp, None, None),
        ("0717UNO00157UNO", RegistrationType::Uin, None, None),
        ("07DLHA00107A1Z9", RegistrationType::Govt, None, None),
        ("06DELI09652G1DA", RegistrationType::Tds, None, Some("DELI09652G")),
        ("07AAACE1234A1DR", RegistrationType::Tds, Some("AAACE1234A"), None),
        ("07AAACF1234A1CS", RegistrationType::Tcs, Some("AAACF1234A"), None),
        ("27AAPFU0939F1ZV", RegistrationType::Regular, Some("AAPFU0939F"), None),
        ("27AAPFU0939F1AA", RegistrationType::Regular, Some("AAPFU0939F"), None),
    ];
    for (g, reg, pan, tan) in table {
        let parsed = Gstin::parse_with(g, STRICT).unwrap_or_else(|e| panic!("{g}: {e}"));
        assert_eq!(parsed.registration_type(), reg, "{g}");
        assert_eq!(parsed.pan().map(|p| p.to_string()).as_deref(), pan, "{g}");
        assert_eq!(parsed.tan(), tan, "{g}");
        assert_eq!(parsed.base_id(), &g[2..12]);
        assert_eq!(parsed.check_char(), g.chars().last().unwrap());
    }
}

#[test]
fn spec_1_1_every_registration_type_invalid() {
    let table = [
        // OIDAR shape under a state code, and 99 with a regular body.
        ("0717SGP29001OST", ErrorCode::Format),
        ("99AAAPA1234A1ZI", ErrorCode::Format),
        ("9917SGP29001OSU", ErrorCode::Checksum),
        ("0718USA00001NR9", ErrorCode::Checksum),
        ("0718USA0000ANR8", ErrorCode::Format),
        ("0717UNO00157UNA", ErrorCode::Checksum),
        ("0717UNO00157XNO", ErrorCode::Format),
        // Government IDs end in a digit.
        ("07DLHA12345A1ZW", ErrorCode::Format),
        ("07DLHA00107A1Z8", ErrorCode::Checksum),
        ("06DELI09652G0DA", ErrorCode::EntityNumber),
        ("07AAAEE1234A1DR", ErrorCode::PanHolderType),
        ("07AAACF0000A1CS", ErrorCode::PanSerial),
        ("27AAPFU0939F1KV", ErrorCode::Format),
    ];
    for (g, code) in table {
        assert_eq!(gstin_code(g, Options::default()), Some(code), "{g}");
    }
}

#[test]
fn spec_1_1_regular_fourteenth_character_set() {
    for c in ALPHABET.iter().map(|&b| b as char) {
        let g = with_check(&format!("27AAPFU0939F1{c}"));
        let allowed = "Z123456789ABEFGHIJ".contains(c);
        let parsed = Gstin::parse_with(&g, Options::default());
        match c {
            'C' => assert_eq!(parsed.unwrap().registration_type(), RegistrationType::Tcs),
            'D' => assert_eq!(parsed.unwrap().registration_type(), RegistrationType::Tds),
            _ if allowed => {
                assert_eq!(parsed.unwrap().registration_type(), RegistrationType::Regular)
            }
            _ => assert_eq!(parsed.unwrap_err().code(), ErrorCode::Format, "{g}"),
        }
    }
}

#[test]
fn spec_1_1_entity_number_runs_1_to_9_then_a_to_z() {
    for c in ALPHABET.iter().map(|&b| b as char) {
        let g = with_check(&format!("27AAPFU0939F{c}Z"));
        let r = Gstin::parse_with(&g, Options::default());
        if c == '0' {
            assert_eq!(r.unwrap_err().code(), ErrorCode::EntityNumber);
        } else {
            assert_eq!(r.unwrap().entity_number(), Some(c));
        }
    }
}

#[test]
fn spec_1_1_tan_fourth_letter_is_free_but_pan_fourth_is_not() {
    // TAN-based TDS: any letter in the 4th place of the TAN.
    assert!(Gstin::parse_with(&with_check("06DELX09652G1D"), Options::default()).is_ok());
    assert!(Gstin::parse_with(&with_check("06DELE09652G1D"), Options::default()).is_ok());
    // PAN-based: holder type applies.
    assert_eq!(gstin_code(&with_check("06DELPU9652G1D"), Options::default()), None);
    assert_eq!(
        gstin_code(&with_check("06DELXA9652G1D"), Options::default()),
        Some(ErrorCode::PanHolderType)
    );
}

#[test]
fn spec_1_1_not_gstins() {
    let urp = Gstin::parse_with("URP", Options::default()).unwrap_err();
    assert_eq!(urp.code(), ErrorCode::Length);
    assert!(urp.to_string().contains("unregistered person"), "{urp}");
    let tmp = Gstin::parse_with("0717ABC1234TMP", Options::default()).unwrap_err();
    assert_eq!(tmp.code(), ErrorCode::Length);
    let tmp = Gstin::parse_with("07170000123TMP1", Options::default()).unwrap_err();
    assert_eq!(tmp.code(), ErrorCode::Format);
    let tmp = Gstin::parse_with("071700001234TMP", Options::default()).unwrap_err();
    assert!(tmp.to_string().contains("temporary ID"), "{tmp}");
}

#[test]
fn spec_1_2_every_state_code() {
    for code in 0..100u8 {
        let g = with_check(&format!("{code:02}AAPFU0939F1Z"));
        let strict = gstin_code(&g, Options::default());
        let lenient = gstin_code(&g, RETIRED_OK);
        match code {
            1..=24 | 26 | 27 | 29..=38 | 97 => {
                assert_eq!(strict, None, "{g}");
                let s = g.parse::<Gstin>().unwrap();
                assert_eq!(s.state().code, code);
                assert_eq!(s.state_code(), &g[..2]);
            }
            25 | 28 => {
                assert_eq!(strict, Some(ErrorCode::StateRetired), "{g}");
                assert_eq!(lenient, None, "{g}");
            }
            // 99 is known but only for OIDAR layouts.
            99 => assert_eq!(strict, Some(ErrorCode::Format), "{g}"),
            _ => {
                assert_eq!(strict, Some(ErrorCode::StateCode), "{g}");
                assert_eq!(lenient, Some(ErrorCode::StateCode), "{g}");
            }
        }
    }
}

#[test]
fn spec_1_2_retired_message_says_what_happened() {
    let e = Gstin::parse_with("25AAAPA1234A1ZX", Options::default()).unwrap_err();
    assert!(e.to_string().contains("merged into 26"), "{e}");
    let g = Gstin::parse_with("25AAAPA1234A1ZX", RETIRED_OK).unwrap();
    assert_eq!(g.state().name, "Daman and Diu");
}

#[test]
fn spec_1_3_check_character_zero() {
    for g in ["27AABCU0038R1Z0", "27AAPFU0059F1Z0"] {
        assert!(Gstin::parse_with(g, STRICT).is_ok(), "{g}");
        // The 0/Z adjacent swap is the one Luhn mod 36 misses; the layout
        // catches it.
        let swapped = format!("{}0Z", &g[..13]);
        assert_eq!(gstin_code(&swapped, Options::default()), Some(ErrorCode::Format));
    }
}

/// SPEC.md section 4, one table per code, at least three values each.
#[test]
fn spec_4_gstin_error_code_tables() {
    let d = Options::default();
    let tables: [(ErrorCode, Options, &[&str]); 11] = [
        (ErrorCode::Empty, d, &["", "   ", "\u{a0}\u{200b}\u{feff}", "-./"]),
        (
            ErrorCode::NotCanonical,
            STRICT,
            &["27aapfu0939f1zv", " 27AAPFU0939F1ZV", "27-AAPFU-0939-F1ZV", "27AAPFU0939F1ZV\r"],
        ),
        (ErrorCode::Length, d, &["27AAPFU0939F1Z", "27AAPFU0939F1ZVV", "URP", "AAPFU0939F", "2"]),
        (
            ErrorCode::Character,
            d,
            &["27AAPFU0939F1Z€", "２7AAPFU0939F1ZV", "27AAPFU09३9F1ZV", "27AAPFU0939F1Z_"],
        ),
        (
            ErrorCode::StateCode,
            d,
            &["00AAPFU0939F1ZV", "39AAPFU0939F1ZV", "96AAPFU0939F1ZV", "AAAAPFU0939F1ZV"],
        ),
        (ErrorCode::StateRetired, d, &["25AAAPA1234A1ZX", "28AAAPA1234A1ZR", "25AAPFU0939F1ZV"]),
        (
            ErrorCode::Format,
            d,
            &["27AAPFU09X9F1ZV", "27AAPFU0939F1XV", "2712345678901ZV", "071700001234TMP"],
        ),
        (ErrorCode::PanHolderType, d, &["27AAPEU0939F1ZV", "27AAPKU0939F1ZV", "27AAPXU0939F1CV"]),
        (ErrorCode::PanSerial, d, &["27AAPFU0000F1ZV", "07AAACF0000A1CS", "07AAACE0000A1DR"]),
        (ErrorCode::EntityNumber, d, &["27AAPFU0939F0ZV", "06DELI09652G0DA", "07AAACF1234A0CS"]),
        (ErrorCode::Checksum, d, &["27AAPFU0939F1ZX", "27AAPFU0939F1ZW", "06DELI09652G1DB"]),
    ];
    for (code, opts, values) in tables {
        assert!(values.len() >= 3, "{code}");
        for v in values {
            assert_eq!(gstin_code(v, opts), Some(code), "{v:?}");
        }
    }
}

#[test]
fn spec_4_pan_error_code_tables() {
    let d = Options::default();
    let tables: [(ErrorCode, Options, &[&str]); 8] = [
        (ErrorCode::Empty, d, &["", " ", "\u{200b}"]),
        (ErrorCode::NotCanonical, STRICT, &["aapfu0939f", "AAPFU 0939F", "AAPFU-0939-F"]),
        (ErrorCode::Length, d, &["AAPFU0939", "AAPFU0939FF", "27AAPFU0939F1ZV"]),
        (ErrorCode::Character, d, &["AAPFU0939_", "ＡAPFU0939F", "AAPFU०939F"]),
        (ErrorCode::Format, d, &["AAPF10939F", "1APFU0939F", "AAPFU09391", "DELI09652G"]),
        (ErrorCode::PanHolderType, d, &["AAPEU0939F", "AAPKU0939F", "AAAZA1234A"]),
        (ErrorCode::PanSerial, d, &["AAPFU0000F", "ABCPD0000E", "AAACR0000K"]),
        // Codes 5, 6, 10 and 11 do not apply to a PAN: it has no state,
        // entity number or published check character.
        (ErrorCode::Empty, d, &["", "\t", "."]),
    ];
    for (code, opts, values) in tables {
        for v in values {
            assert_eq!(pan_code(v, opts), Some(code), "{v:?}");
        }
    }
}

#[test]
fn spec_4_first_failure_wins() {
    // Wrong length and a bad character: length comes first.
    assert_eq!(gstin_code("27AAPFU€", Options::default()), Some(ErrorCode::Length));
    // Unknown state and bad layout: state first.
    assert_eq!(gstin_code("00AAPFU09X9F1ZV", Options::default()), Some(ErrorCode::StateCode));
    // Holder type and serial both wrong: holder type first.
    assert_eq!(gstin_code("27AAPEU0000F1ZV", Options::default()), Some(ErrorCode::PanHolderType));
    // Serial and entity number: serial first.
    assert_eq!(gstin_code("27AAPFU0000F0ZV", Options::default()), Some(ErrorCode::PanSerial));
    // Strict and wrong length: not_canonical first.
    assert_eq!(gstin_code("27aapfu", STRICT), Some(ErrorCode::NotCanonical));
    // Blank under strict: empty first.
    assert_eq!(gstin_code("  ", STRICT), Some(ErrorCode::Empty));
}

#[test]
fn spec_4_messages_name_positions_and_characters() {
    let msg = |g: &str| Gstin::parse_with(g, Options::default()).unwrap_err().to_string();
    assert_eq!(
        msg("27AAPFU0939F1Z€"),
        "character '€' (U+20AC) at position 15 is not a letter A-Z or digit 0-9"
    );
    assert_eq!(msg("27AAPFU0939F1ZX"), "check character at position 15 should be 'V', found 'X'");
    assert_eq!(
        msg("27AAPFU09X9F1ZV"),
        "fits no GSTIN layout: nearest is regular (state, PAN, entity number, Z), which needs \
         a digit at position 10, found 'X'"
    );
    assert_eq!(msg("39AAPFU0939F1ZV"), "unknown state code 39 at positions 1-2");
    assert!(msg("27AAPEU0939F1ZV").contains("position 6"));
    assert!(msg("27AAPFU0000F1ZV").contains("positions 8-11"));
    assert!(msg("99AAAPA1234A1ZI").contains("only by OIDAR"));
    assert!(msg("0717SGP29001OST").contains("starts with 99"));
    assert!(msg("AAPFU0939F").contains("looks like a PAN"));
    let tan = Pan::parse_with("DELI09652G", Options::default()).unwrap_err();
    assert!(tan.to_string().contains("looks like a TAN"), "{tan}");
    assert!(tan.to_string().contains("position 5"), "{tan}");
}

#[test]
fn spec_2_holder_types() {
    for (c, h) in [
        ('P', HolderType::Individual),
        ('C', HolderType::Company),
        ('H', HolderType::Huf),
        ('F', HolderType::Firm),
        ('A', HolderType::Aop),
        ('T', HolderType::Trust),
        ('B', HolderType::Boi),
        ('L', HolderType::LocalAuthority),
        ('J', HolderType::ArtificialJuridicalPerson),
        ('G', HolderType::Government),
    ] {
        let pan: Pan = format!("AAA{c}A1234A").parse().unwrap();
        assert_eq!(pan.holder_type(), h);
    }
    for c in "DEIKMNOQRSUVWXYZ".chars() {
        assert_eq!(
            pan_code(&format!("AAA{c}A1234A"), Options::default()),
            Some(ErrorCode::PanHolderType)
        );
    }
}

#[test]
fn spec_2_any_check_letter_is_accepted() {
    for c in 'A'..='Z' {
        assert!(format!("AAPFU0939{c}").parse::<Pan>().is_ok());
    }
    assert_eq!(pan_code("AAPFU09399", Options::default()), Some(ErrorCode::Format));
}

#[test]
fn spec_3_normalised_then_checked() {
    let g: Gstin = " 27 aapfu-0939.f1zv\u{a0}".parse().unwrap();
    assert_eq!(g.to_string(), "27AAPFU0939F1ZV");
    let v = check("27aapfu0939f1zv", None, Options::default());
    assert!(v.changed());
    assert!(v.result.is_ok());
    let v = check("27AAPFU0939F1ZV", None, STRICT);
    assert!(!v.changed());
}

#[test]
fn spec_4_kind_by_length() {
    assert_eq!(check("AAPFU0939F", None, Options::default()).kind, Some(Kind::Pan));
    assert_eq!(check("27AAPFU0939F1ZV", None, Options::default()).kind, Some(Kind::Gstin));
    let v = check("27AAPFU", None, Options::default());
    assert_eq!(v.kind, None);
    assert_eq!(
        v.result.unwrap_err().to_string(),
        "a GSTIN has 15 characters and a PAN 10, found 7 characters"
    );
    // A forced kind wins over length.
    let v = check("AAPFU0939F", Some(Kind::Gstin), Options::default());
    assert_eq!(v.result.unwrap_err().code(), ErrorCode::Length);
}

#[test]
fn spec_5_gstin_suggestions() {
    let sug =
        |g: &str| check(g, Some(Kind::Gstin), Options::default()).suggestion(Options::default());
    // O typed for 0 in the serial.
    assert_eq!(sug("27AAPFUO939F1ZV").as_deref(), Some("27AAPFU0939F1ZV"));
    // I typed for 1 as the entity number: ambiguous, because swapping the
    // I and Z also gives a valid regular GSTIN (27AAPFU0939FZIV).
    assert_eq!(sug("27AAPFU0939FIZV"), None);
    assert!("27AAPFU0939FZIV".parse::<Gstin>().is_ok());
    // Two adjacent digits swapped.
    assert_eq!(sug("27AAPFU9039F1ZV").as_deref(), Some("27AAPFU0939F1ZV"));
    // Never a recomputed check character.
    assert_eq!(sug("27AAPFU0939F1ZX"), None);
    // Valid values get no suggestion.
    assert_eq!(sug("27AAPFU0939F1ZV"), None);
    // Wrong length: nothing one step away.
    assert_eq!(sug("27AAPFU0939F1Z"), None);
}

#[test]
fn spec_5_ambiguous_gives_no_suggestion() {
    // Count the valid one-step variants by brute force and compare.
    let base = "27AAPFU0939F1ZV";
    for i in 0..15 {
        for &alt in ALPHABET {
            let mut b = base.as_bytes().to_vec();
            b[i] = alt;
            let s = String::from_utf8(b).unwrap();
            if s.parse::<Gstin>().is_ok() {
                continue;
            }
            let got =
                check(&s, Some(Kind::Gstin), Options::default()).suggestion(Options::default());
            let mut valid = std::collections::BTreeSet::new();
            let bytes = s.as_bytes();
            for j in 0..15 {
                if let Some(a) = look_alike(bytes[j]) {
                    let mut c = bytes.to_vec();
                    c[j] = a;
                    if let Ok(g) = std::str::from_utf8(&c).unwrap().parse::<Gstin>() {
                        valid.insert(g.to_string());
                    }
                }
                if j < 14 {
                    let mut c = bytes.to_vec();
                    c.swap(j, j + 1);
                    if let Ok(g) = std::str::from_utf8(&c).unwrap().parse::<Gstin>() {
                        valid.insert(g.to_string());
                    }
                }
            }
            let want = (valid.len() == 1).then(|| valid.into_iter().next().unwrap());
            assert_eq!(got, want, "{s}");
        }
    }
}

#[test]
fn spec_5_pan_suggestions_only_for_layout_failures() {
    let sug =
        |p: &str| check(p, Some(Kind::Pan), Options::default()).suggestion(Options::default());
    assert_eq!(sug("AAPFU09S9F").as_deref(), Some("AAPFU0959F"));
    assert_eq!(sug("AAPFUO939F").as_deref(), Some("AAPFU0939F"));
    // Holder type wrong but layout fits: no suggestion.
    assert_eq!(sug("AAPEU0939F"), None);
    // Two look-alikes needed: none.
    assert_eq!(sug("AAPFUOO39F"), None);
}

#[test]
fn robustness_never_panics() {
    let long = "9".repeat(1 << 20);
    let inputs = [
        "",
        " ",
        "\t\n",
        "URP",
        "१२",
        "²",
        "3²",
        "ⅷ",
        "⑱",
        "ＡＢＣ",
        "😀",
        "\0",
        "27AAPFU0939F1Z\0",
        "27AAPFU0939F1Z😀",
        &long,
    ];
    for input in inputs {
        for kind in [None, Some(Kind::Gstin), Some(Kind::Pan)] {
            for opts in [Options::default(), STRICT, RETIRED_OK] {
                let v = check(input, kind, opts);
                assert!(v.result.is_err(), "{input:?}");
                let _ = v.suggestion(opts);
                assert!(!v.result.unwrap_err().to_string().is_empty());
            }
        }
    }
}

#[test]
fn serde_goes_through_the_string_form() {
    let g: Gstin = serde_json::from_str("\"27aapfu0939f1zv\"").unwrap();
    assert_eq!(serde_json::to_string(&g).unwrap(), "\"27AAPFU0939F1ZV\"");
    assert!(serde_json::from_str::<Gstin>("\"27AAPFU0939F1ZX\"").is_err());
    let p: Pan = serde_json::from_str("\"AAPFU0939F\"").unwrap();
    assert_eq!(serde_json::to_string(&p).unwrap(), "\"AAPFU0939F\"");
    assert!(serde_json::from_str::<Pan>("\"AAPEU0939F\"").is_err());
}
