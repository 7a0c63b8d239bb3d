use super::*;

fn d(s: &str) -> NaiveDate {
    crate::time::date(s).unwrap()
}

#[test]
fn spec_7_3_registration_on_the_document_date() {
    let cases = [
        ("2026-11-05", "2017-07-01", "", Some(OnDate::Registered)),
        ("2017-07-01", "2017-07-01", "", Some(OnDate::Registered)),
        ("2017-06-30", "2017-07-01", "", Some(OnDate::BeforeRegistration)),
        ("2026-09-30", "2017-07-01", "2026-10-01", Some(OnDate::Registered)),
        ("2026-10-01", "2017-07-01", "2026-10-01", Some(OnDate::AfterCancellation)),
        ("2026-11-05", "2017-07-01", "2026-10-01", Some(OnDate::AfterCancellation)),
        // A cancellation given as "-" or "NA" by the provider was blanked
        // when read; any text that is no date is no cancellation.
        ("2026-11-05", "2017-07-01", "NA", Some(OnDate::Registered)),
        ("2026-11-05", "", "", None),
        ("2026-11-05", "pending", "", None),
    ];
    for (date, reg, cx, want) in cases {
        assert_eq!(on_date(d(date), reg, cx), want, "{date} {reg} {cx}");
    }
    let m = OnDate::AfterCancellation.message(d("2026-11-05"), "2017-07-01", "2026-10-01");
    assert!(m.unwrap().contains("cancellation from 2026-10-01"));
    assert_eq!(OnDate::Registered.message(d("2026-11-05"), "", ""), None);
}

fn p(year: i32, month: u32) -> Period {
    Period { year, month }
}

fn filing(rtntype: &str, ret_prd: &str, dof: &str) -> Filing {
    Filing {
        rtntype: rtntype.into(),
        period: Period::from_ret_prd(ret_prd).unwrap(),
        filed_on: crate::time::date(dof),
        filed: true,
    }
}

#[test]
fn spec_7_3_due_dates_by_return_frequency_and_state() {
    use Frequency::{Monthly, Quarterly};
    use Return::{Gstr1, Gstr3b};
    let oct = p(2025, 10);
    let dec = p(2025, 12);
    let cases = [
        (Gstr1, oct, Monthly, 27, "2025-11-11"),
        (Gstr3b, oct, Monthly, 27, "2025-11-20"),
        (Gstr1, dec, Quarterly, 27, "2026-01-13"),
        (Gstr3b, dec, Quarterly, 27, "2026-01-22"),
        (Gstr3b, dec, Quarterly, 22, "2026-01-22"),
        (Gstr3b, dec, Quarterly, 37, "2026-01-22"),
        (Gstr3b, dec, Quarterly, 1, "2026-01-24"),
        (Gstr3b, dec, Quarterly, 21, "2026-01-24"),
        (Gstr3b, dec, Quarterly, 38, "2026-01-24"),
        (Gstr3b, dec, Quarterly, 25, "2026-01-24"),
        // No QRMP for 96, 97, 99: monthly dates.
        (Gstr3b, dec, Quarterly, 97, "2026-01-20"),
        (Gstr1, dec, Quarterly, 99, "2026-01-11"),
        // March's returns are due in April of the next calendar year.
        (Gstr3b, p(2026, 3), Monthly, 29, "2026-04-20"),
    ];
    for (ret, period, freq, state, want) in cases {
        assert_eq!(due(ret, period, freq, state), d(want), "{ret:?} {period} {freq:?} {state}");
    }
    for state in 1..=38u8 {
        let day = chrono::Datelike::day(&due(Gstr3b, dec, Quarterly, state));
        assert_eq!(day == 22, QRMP_22ND.contains(&state), "state {state}");
    }
}

#[test]
fn financial_years_periods_and_the_returns_flag() {
    assert_eq!(financial_year(d("2026-03-31")), 2025);
    assert_eq!(financial_year(d("2026-04-01")), 2026);
    assert_eq!(fy_label(2025), "FY 2025-26");
    assert_eq!(fy_label(2099), "FY 2099-00");
    let today = d("2026-12-06");
    for (text, want) in [
        ("2025-26", 2025),
        ("FY 2025-26", 2025),
        ("fy2025-26", 2025),
        ("2025", 2025),
        ("2025-2026", 2025),
        ("current", 2026),
        ("Previous", 2025),
    ] {
        assert_eq!(parse_fy(text, today), Ok(want), "{text}");
    }
    for bad in ["2025-27", "25-26", "FY", "next", "2025-6", "1999", ""] {
        assert!(parse_fy(bad, today).is_err(), "{bad}");
    }
    assert_eq!(period_of(d("2025-11-05"), Frequency::Monthly), p(2025, 11));
    assert_eq!(period_of(d("2025-11-05"), Frequency::Quarterly), p(2025, 12));
    assert_eq!(period_of(d("2026-01-01"), Frequency::Quarterly), p(2026, 3));
    let q: Vec<String> =
        periods(2025, Frequency::Quarterly).iter().map(|p| p.to_string()).collect();
    assert_eq!(q, ["2025-06", "2025-09", "2025-12", "2026-03"]);
    let m = periods(2025, Frequency::Monthly);
    assert_eq!((m.len(), m[0], m[11]), (12, p(2025, 4), p(2026, 3)));
    assert_eq!(Period::from_ret_prd("132025"), None);
    assert_eq!(Period::from_ret_prd("1-2025"), None);
}

#[test]
fn spec_7_3_filed_late_or_not_and_the_frequency() {
    let f = [
        filing("GSTR1", "102025", "2025-11-11"),
        filing("GSTR3B", "102025", "2025-11-25"),
        filing("GSTR1", "112025", "2025-12-09"),
    ];
    let oct = p(2025, 10);
    assert_eq!(filed(&f, Return::Gstr1, oct, d("2025-11-11")), Filed::Yes);
    assert_eq!(filed(&f, Return::Gstr3b, oct, d("2025-11-20")), Filed::Late(d("2025-11-25")));
    assert_eq!(Filed::Late(d("2025-11-25")).text(), "late 2025-11-25");
    assert_eq!(filed(&f, Return::Gstr3b, p(2025, 11), d("2025-12-20")), Filed::No);
    let mut not_filed = f[0].clone();
    not_filed.filed = false;
    assert_eq!(filed(&[not_filed], Return::Gstr1, oct, d("2025-11-11")), Filed::No);
    assert_eq!(frequency(None, &f), Frequency::Monthly);
    let quarterly = [filing("GSTR1", "062025", ""), filing("GSTR3B", "092025", "")];
    assert_eq!(frequency(None, &quarterly), Frequency::Quarterly);
    assert_eq!(frequency(Some(Frequency::Monthly), &quarterly), Frequency::Monthly);
    assert_eq!(frequency(None, &[]), Frequency::Monthly);
    assert_eq!(last_filed(&f, Return::Gstr1), Some(p(2025, 11)));
    assert_eq!(last_filed(&f, Return::Gstr3b), Some(oct));
    // Due by 2026-01-06: April to November's GSTR-3B (November's was due
    // 2025-12-20); only October's is filed.
    let missing = gstr3b_missing(&f, 2025, Frequency::Monthly, 27, d("2026-01-06"));
    let missing: Vec<String> = missing.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        missing,
        ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-11"]
    );
}

#[test]
fn a_supplier_moving_into_qrmp_is_judged_quarter_by_quarter() {
    // Monthly from April to June, quarterly from July.
    let mut f: Vec<Filing> = ["042025", "052025", "062025"]
        .iter()
        .flat_map(|p| [filing("GSTR1", p, ""), filing("GSTR3B", p, "")])
        .collect();
    f.extend([filing("GSTR1", "092025", "2025-10-13"), filing("GSTR3B", "092025", "2025-10-22")]);
    assert_eq!(frequency_on(&f, d("2025-05-10")), Frequency::Monthly);
    assert_eq!(frequency_on(&f, d("2025-08-10")), Frequency::Quarterly);
    // Nothing filed for October to December: as the year says (monthly:
    // not every filing is on a quarter's last month).
    assert_eq!(frequency_on(&f, d("2025-11-10")), Frequency::Monthly);
    let missing = gstr3b_missing(&f, 2025, frequency(None, &f), 27, d("2026-01-06"));
    // Not July and August: that quarter was filed quarterly.
    assert_eq!(missing, [p(2025, 10), p(2025, 11)]);
}

#[test]
fn spec_7_3_the_risk_to_the_credit() {
    use Filed::{No, Yes};
    let date = d("2025-10-15");
    let due_3b = d("2025-11-20");
    let cases = [
        ((Yes, Yes), "2026-12-01", Risk::None),
        ((Yes, Filed::Late(d("2026-01-05"))), "2026-12-01", Risk::None),
        ((No, Yes), "2025-11-12", Risk::NotIn2bYet),
        ((Yes, No), "2025-11-20", Risk::None),
        ((Yes, No), "2025-11-21", Risk::TaxNotPaid),
        ((No, No), "2025-11-21", Risk::TaxNotPaid),
        ((No, No), "2025-11-01", Risk::NotIn2bYet),
        // FY 2025-26 ends 2026-03-31: 30 September 2026 is the line.
        ((Yes, No), "2026-09-30", Risk::TaxNotPaid),
        ((Yes, No), "2026-10-01", Risk::Rule37a),
    ];
    for (state, today, want) in cases {
        assert_eq!(risk(state, date, due_3b, d(today)), want, "{state:?} {today}");
    }
    assert!(Risk::Rule37a.message(p(2025, 10)).unwrap().contains("Rule 37A"));
    assert_eq!(Risk::None.message(p(2025, 10)), None);
}
