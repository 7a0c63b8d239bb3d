//! Property tests for the identifier rules: generated valid GSTINs of every
//! registration type, their one-character variants, and arbitrary text.

use proptest::prelude::*;

use super::checksum::ALPHABET;
use super::tests::{STRICT, with_check};
use super::*;

/// `text` (ASCII) with its character at `pos` replaced by the alphabet's
/// character `alt`.
fn substituted(text: &str, pos: usize, alt: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[pos] = ALPHABET[alt];
    String::from_utf8(bytes).unwrap()
}

/// Generates a valid 14-character body for each registration type.
fn body_strategy() -> impl Strategy<Value = (RegistrationType, String)> {
    let letter = || prop::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec());
    let state = prop::sample::select(
        (1..=38u8).filter(|c| *c != 25 && *c != 28).chain([97]).collect::<Vec<_>>(),
    );
    let holder = prop::sample::select(b"PCHFATBLJG".to_vec());
    let entity = prop::sample::select(b"123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec());
    let serial = 1..=9999u32;
    let pan = (prop::collection::vec(letter(), 3), holder, letter(), serial, letter()).prop_map(
        |(l3, h, l5, s, c)| {
            format!(
                "{}{}{}{s:04}{}",
                String::from_utf8(l3).unwrap(),
                h as char,
                l5 as char,
                c as char
            )
        },
    );
    let year_country = (0..100u32, prop::collection::vec(letter(), 3), 0..100_000u32)
        .prop_map(|(y, c, n)| format!("{y:02}{}{n:05}", String::from_utf8(c).unwrap()));
    let tan = (prop::collection::vec(letter(), 4), 0..100_000u32, letter())
        .prop_map(|(l, n, c)| format!("{}{n:05}{}", String::from_utf8(l).unwrap(), c as char));
    let reg14 = prop::sample::select(b"Z123456789ABEFGHIJ".to_vec());
    prop_oneof![
        year_country.clone().prop_map(|yc| (RegistrationType::Oidar, format!("99{yc}OS"))),
        (state.clone(), year_country.clone())
            .prop_map(|(s, yc)| (RegistrationType::Nrtp, format!("{s:02}{yc}NR"))),
        (state.clone(), year_country, prop::sample::select(vec!['U', 'O']))
            .prop_map(|(s, yc, u)| (RegistrationType::Uin, format!("{s:02}{yc}{u}N"))),
        (state.clone(), tan.clone(), entity.clone())
            .prop_map(|(s, t, e)| (RegistrationType::Tds, format!("{s:02}{t}{}D", e as char))),
        (state.clone(), pan.clone(), entity.clone())
            .prop_map(|(s, p, e)| (RegistrationType::Tds, format!("{s:02}{p}{}D", e as char))),
        (state.clone(), pan.clone(), entity.clone())
            .prop_map(|(s, p, e)| (RegistrationType::Tcs, format!("{s:02}{p}{}C", e as char))),
        (state, pan, entity, reg14).prop_map(|(s, p, e, z)| {
            (RegistrationType::Regular, format!("{s:02}{p}{}{}", e as char, z as char))
        }),
    ]
}

#[test]
fn compact_keys_stay_below_the_pan_bit_at_their_largest() {
    // The largest value of every layout: the last character of each slot.
    for body in [
        "9999ZZZ99999OS",
        "9799ZZZ99999NR",
        "9799ZZZ99999UN",
        "97ZZZZ99999ZZD",
        "97ZZZGZ9999ZZD",
        "97ZZZGZ9999ZZC",
        "97ZZZGZ9999ZZZ",
    ] {
        let g = with_check(body);
        let parsed = Gstin::parse_with(&g, Options::default()).unwrap();
        assert!(parsed.compact() < 1 << 63, "{g}");
    }
    // Government IDs need a digit check character; find the largest such.
    let govt = (0..100_000u32)
        .rev()
        .map(|n| with_check(&format!("97ZZZZ{n:05}Z9Z")))
        .find(|g| g.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap();
    assert!(govt.parse::<Gstin>().unwrap().compact() < 1 << 63);
    assert!("ZZZGZ9999Z".parse::<Pan>().unwrap().compact() >= 1 << 63);
}

proptest! {
    #[test]
    fn prop_compact_keys_are_injective(((_, a), (_, b)) in (body_strategy(), body_strategy())) {
        let (a, b) = (with_check(&a), with_check(&b));
        let (ga, gb) = (a.parse::<Gstin>().unwrap(), b.parse::<Gstin>().unwrap());
        prop_assert_eq!(ga.compact() == gb.compact(), a == b);
        prop_assert!(ga.compact() < 1 << 63);
    }

    #[test]
    fn prop_compact_keys_differ_by_one_character((_, body) in body_strategy(), pos in 0..14usize, alt in 0..36usize) {
        // Neighbours are the likeliest to collide in a packing bug.
        let g = with_check(&body);
        let other = substituted(&body, pos, alt);
        prop_assume!(other != body);
        let other = with_check(&other);
        if let Ok(o) = other.parse::<Gstin>() {
            prop_assert_ne!(o.compact(), g.parse::<Gstin>().unwrap().compact());
        }
    }

    #[test]
    fn prop_generated_gstins_parse_and_round_trip((reg, body) in body_strategy()) {
        let g = with_check(&body);
        let parsed = Gstin::parse_with(&g, STRICT).map_err(|e| TestCaseError::fail(format!("{g}: {e}")))?;
        prop_assert_eq!(parsed.registration_type(), reg);
        prop_assert_eq!(parsed.to_string(), g.clone());
        prop_assert_eq!(parsed.to_string().parse::<Gstin>().unwrap(), parsed);
        prop_assert_eq!(g.to_lowercase().parse::<Gstin>().unwrap(), parsed);
    }

    #[test]
    fn prop_every_single_substitution_is_rejected((_reg, body) in body_strategy(), pos in 0..15usize, alt in 0..36usize) {
        let g = with_check(&body);
        let s = substituted(&g, pos, alt);
        prop_assume!(s != g);
        prop_assert!(s.parse::<Gstin>().is_err(), "{} accepted", s);
    }

    #[test]
    fn prop_the_canonical_shortcut_agrees_with_the_full_check(
        (_reg, body) in body_strategy(),
        noise in "[0-9A-Z]{10}|[0-9A-Z]{15}|[0-9A-Za-z -]{9,16}",
        pos in 0..15usize,
        alt in 0..36usize,
        kind in prop::option::of(prop::sample::select(vec![Kind::Gstin, Kind::Pan])),
        strict: bool,
        allow_retired: bool,
    ) {
        // `check_bytes` skips normalising for a canonical value of its
        // kind's length; `check` always normalises. Valid GSTINs, their
        // one-character variants (every error after `character`), PANs
        // (the GSTIN's base) and random text must get the same verdict.
        let opts = Options { strict, allow_retired };
        let g = with_check(&body);
        let variant = substituted(&g, pos, alt);
        for value in [g.as_str(), &g[2..12], variant.as_str(), noise.as_str()] {
            prop_assert_eq!(check_bytes(value.as_bytes(), kind, opts), check(value, kind, opts), "{}", value);
        }
    }

    #[test]
    fn prop_arbitrary_unicode_never_panics(s in "\\PC*", kind in prop::option::of(prop::sample::select(vec![Kind::Gstin, Kind::Pan]))) {
        for opts in [Options::default(), STRICT] {
            let v = check(&s, kind, opts);
            let _ = v.suggestion(opts);
            if let Err(e) = &v.result {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn prop_normalising_is_idempotent(s in "[ a-zA-Z0-9\\-./\u{a0}\u{200b}\u{feff}é१]*") {
        let once = normalize(&s).into_owned();
        let twice = normalize(&once);
        prop_assert_eq!(twice.as_ref(), once.as_str());
        prop_assert!(matches!(twice, std::borrow::Cow::Borrowed(_)));
    }
}
