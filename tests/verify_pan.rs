//! `gstbatch verify --kind pan` against the emulator: the provider's test
//! PANs, consent, name and date-of-birth matches, Aadhaar seeding, the cache
//! key, rows that cost nothing, workbooks with date cells, PANs inside
//! GSTINs.

use crate::emulator::{Emulator, KEY, PanRecord, SECRET};
use crate::util::{Cmd, Dir, report_rows};

pub fn verify(dir: &Dir, emu: &Emulator, args: &[&str]) -> Cmd {
    dir.cmd()
        .args(["verify", "--consent", "--name-column", "Name", "--dob-column", "DOB"])
        .args(args)
        .args(["--api-base", &emu.base, "--state", "s.db", "--timeout", "5s"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .env("GSTBATCH_TEST_BACKOFF_MS", "10")
}

fn holders(dir: &Dir, lines: &[&str]) {
    dir.write("p.csv", format!("Name,PAN,DOB\n{}\n", lines.join("\n")));
}

fn register(emu: &Emulator, pan: &str, name: &str, dob: &str, category: &str, seeding: &str) {
    emu.lock().pans.insert(
        pan.to_string(),
        PanRecord {
            name: name.into(),
            dob: dob.into(),
            category: category.into(),
            status: "valid".into(),
            remarks: None,
            seeding: seeding.into(),
        },
    );
}

#[test]
fn the_providers_test_pans_give_every_verdict() {
    let emu = Emulator::start();
    let dir = Dir::new();
    holders(
        &dir,
        &[
            "Test Individual,XXXPX1234A,01/01/1990",
            "Test Company,XXXCX1234B,1990-01-01",
            "Gone Firm,XXXFX1234J,01-01-1990",
            "Broken,XXXPX1234F,01/01/1990",
            "Down,XXXPX1234G,01/01/1990",
            "Pattern,XXXPX123EE,01/01/1990",
        ],
    );
    let run = verify(&dir, &emu, &["p.csv", "-q", "--send-malformed"]).run(1);
    let got = report_rows(&run.stdout());
    let v: Vec<&str> = got.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(v, ["valid", "valid", "invalid", "unavailable", "unavailable", "invalid"]);
    assert_eq!(got[0]["gstbatch_pan_category"], "individual");
    assert_eq!(got[0]["gstbatch_name_match"], "exact");
    assert_eq!(got[0]["gstbatch_dob_match"], "true");
    assert_eq!(got[0]["gstbatch_aadhaar_seeding"], "y");
    assert_eq!(got[1]["gstbatch_pan_category"], "company");
    assert_eq!(got[2]["gstbatch_pan_remarks"], "Deleted");
    assert!(got[5]["gstbatch_message"].contains("422"), "{:?}", got[5]);
    let e = emu.lock();
    assert_eq!(e.paid, 3, "only answers are charged");
    let sent = &e.pan_requests[0];
    assert_eq!(sent["consent"], "Y");
    assert_eq!(sent["date_of_birth"], "01/01/1990");
    assert_eq!(sent["reason"], "Vendor PAN verification");
    assert!(e.bad_headers.is_empty(), "{:?}", e.bad_headers);
}

#[test]
fn insufficient_privilege_or_credits_stop_every_call() {
    for (pan, word) in
        [("XXXPX1234C", "Insufficient Privilege"), ("XXXPX1234D", "Insufficient credits")]
    {
        let emu = Emulator::start();
        let dir = Dir::new();
        holders(
            &dir,
            &[&format!("Stopper,{pan},01/01/1990"), "Test Individual,XXXPX1234A,01/01/1990"],
        );
        let run = verify(&dir, &emu, &["p.csv", "--concurrency", "1", "-o", "r.csv"]).run(2);
        assert!(run.stderr().contains("nothing was verified"), "{}", run.stderr());
        let got = report_rows(&dir.read("r.csv"));
        assert!(got.iter().all(|r| r["gstbatch_verify_status"] == "not_checked"));
        assert!(got.iter().all(|r| r["gstbatch_message"].contains(word)), "{got:?}");
        assert_eq!(emu.lock().attempts.get("XXXPX1234A"), None, "no call after the stop");
    }
}

#[test]
fn consent_is_required_and_nothing_is_sent_without_it() {
    let emu = Emulator::start();
    let dir = Dir::new();
    holders(&dir, &["Test Individual,XXXPX1234A,01/01/1990"]);
    let run = dir
        .cmd()
        .args(["verify", "p.csv", "--name-column", "Name", "--dob-column", "DOB"])
        .args(["--api-base", &emu.base, "--state", "s.db"])
        .env("GSTBATCH_API_KEY", KEY)
        .env("GSTBATCH_API_SECRET", SECRET)
        .run(2);
    assert!(run.stderr().contains("--consent"), "{}", run.stderr());
    assert_eq!(emu.lock().authentications, 0);
    assert!(!dir.join("s.db").exists());
    let run = dir
        .cmd()
        .args(["verify", "p.csv", "--consent", "--api-base", &emu.base, "--state", "s.db"])
        .run(2);
    assert!(run.stderr().contains("--name-column and --dob-column"), "{}", run.stderr());
}

#[test]
fn inoperative_mismatches_and_rows_that_cost_nothing() {
    let emu = Emulator::start();
    register(&emu, "ABCPK1234F", "RAVI KUMAR", "07/03/1985", "individual", "n");
    register(&emu, "ABCPS5678K", "SITA SHARMA", "15/08/1990", "individual", "y");
    register(&emu, "AAACT2727Q", "TATA STEEL LIMITED", "26/08/1907", "company", "na");
    let dir = Dir::new();
    holders(
        &dir,
        &[
            "Ravi Kumar,ABCPK1234F,07/03/1985",
            "Sita Verma,ABCPS5678K,15/08/1990",
            "Sita Sharma,ABCPS5678K,16/08/1990",
            "Tata Steel Limited,AAACT2727Q,1907-08-26",
            "No Date,ABCPS5678K,",
            "Bad Date,ABCPS5678K,31/02/1990",
            ",ABCPS5678K,15/08/1990",
        ],
    );
    let run = verify(&dir, &emu, &["p.csv", "-q"]).run(1);
    let got = report_rows(&run.stdout());
    let v: Vec<&str> = got.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(
        v,
        ["inoperative", "valid", "valid", "valid", "not_checked", "not_checked", "not_checked"]
    );
    assert!(got[0]["gstbatch_message"].contains("206AA"), "{:?}", got[0]);
    assert_eq!(got[1]["gstbatch_name_match"], "different");
    assert_eq!(got[2]["gstbatch_dob_match"], "false");
    assert!(got[4]["gstbatch_message"].contains("column 3 (\"DOB\")"), "{:?}", got[4]);
    assert!(got[5]["gstbatch_message"].contains("not a date"), "{:?}", got[5]);
    assert!(got[6]["gstbatch_message"].contains("name cell"), "{:?}", got[6]);
    assert_eq!(emu.lock().paid, 4, "blank or unreadable rows cost nothing");
    // Exit 0 only when every row is valid with name and date matching.
    holders(&dir, &["Sita Sharma,ABCPS5678K,15/08/1990", "Tata Steel Ltd,AAACT2727Q,26/08/1907"]);
    let run = verify(&dir, &emu, &["p.csv", "-q"]).run(1);
    assert_eq!(report_rows(&run.stdout())[1]["gstbatch_name_match"], "different");
    holders(&dir, &["Sita Sharma,ABCPS5678K,15/08/1990"]);
    verify(&dir, &emu, &["p.csv", "-q"]).run(0);
}

#[test]
fn the_cache_key_is_the_pan_with_the_name_and_date_sent() {
    let emu = Emulator::start();
    register(&emu, "ABCPS5678K", "SITA SHARMA", "15/08/1990", "individual", "y");
    let dir = Dir::new();
    holders(&dir, &["Sita Sharma,ABCPS5678K,15/08/1990"]);
    verify(&dir, &emu, &["p.csv", "-q"]).run(0);
    let run = verify(&dir, &emu, &["p.csv", "-q"]).run(0);
    assert_eq!(report_rows(&run.stdout())[0]["gstbatch_source"], "cache");
    assert_eq!(emu.lock().paid, 1);
    // Another name (or date) is another question.
    holders(&dir, &["S. Sharma,ABCPS5678K,15/08/1990", "Sita Sharma,ABCPS5678K,1990-08-15"]);
    let run = verify(&dir, &emu, &["p.csv", "-q"]).run(1);
    let got = report_rows(&run.stdout());
    assert_eq!(got[0]["gstbatch_source"], "live");
    assert_eq!(got[1]["gstbatch_source"], "cache", "the same date, written otherwise");
    assert_eq!(emu.lock().paid, 2);
}

#[test]
fn the_pan_inside_each_gstin_once_per_pan() {
    let emu = Emulator::start();
    register(&emu, "AAPFU0939F", "ACME UDYOG LLP", "01/04/2010", "firm", "na");
    let dir = Dir::new();
    dir.write(
        "g.csv",
        "Name,GSTIN,DOB\nAcme Udyog LLP,27AAPFU0939F1ZV,01/04/2010\nAcme Udyog LLP,29AAPFU0939F1ZR,01/04/2010\nUN body,0717UNO00157UNO,01/01/2000\n",
    );
    let run = verify(&dir, &emu, &["g.csv", "-q", "--kind", "pan"]).run(1);
    let got = report_rows(&run.stdout());
    let v: Vec<&str> = got.iter().map(|r| r["gstbatch_verify_status"].as_str()).collect();
    assert_eq!(v, ["valid", "valid", "malformed"]);
    assert!(got[2]["gstbatch_message"].contains("holds no PAN"), "{:?}", got[2]);
    assert_eq!(emu.lock().paid, 1, "one PAN, asked once");
    assert_eq!(emu.lock().pan_requests[0]["pan"], "AAPFU0939F");
}

#[test]
fn a_workbook_with_excel_date_cells() {
    let emu = Emulator::start();
    register(&emu, "ABCPK1234F", "RAVI KUMAR", "07/03/1985", "individual", "y");
    let dir = Dir::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
    let ws = book.add_worksheet();
    for (c, h) in ["Name", "PAN", "DOB"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Ravi Kumar").unwrap();
    ws.write_string(1, 1, "ABCPK1234F").unwrap();
    let dob = rust_xlsxwriter::ExcelDateTime::from_ymd(1985, 3, 7).unwrap();
    ws.write_datetime_with_format(1, 2, &dob, &date).unwrap();
    book.save(dir.join("p.xlsx")).unwrap();
    let run = verify(&dir, &emu, &["p.xlsx", "-q"]).run(0);
    let got = report_rows(&run.stdout());
    assert_eq!(got[0]["gstbatch_dob_match"], "true", "{got:?}");
    assert_eq!(emu.lock().pan_requests[0]["date_of_birth"], "07/03/1985");
}
