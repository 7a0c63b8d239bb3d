use super::*;

#[test]
fn only_https_or_loopback_http() {
    for ok in [
        "https://api.sandbox.co.in",
        "https://test-api.sandbox.co.in/",
        "http://127.0.0.1:8080",
        "http://127.5.6.7",
        "http://localhost:99",
        "http://[::1]:80",
    ] {
        assert!(check_base(ok).is_ok(), "{ok}");
    }
    for bad in
        ["http://api.sandbox.co.in", "http://10.0.0.1", "ftp://x", "https://", "api.sandbox.co.in"]
    {
        assert!(check_base(bad).is_err(), "{bad}");
    }
    assert_eq!(check_base("https://x/").unwrap(), "https://x");
    assert_eq!(check_base(" HTTP://LOCALHOST:9/v1/ ").unwrap(), "http://localhost:9/v1");
}

#[test]
fn the_host_checked_is_the_host_connected_to() {
    for bad in [
        "http://[::1]@example.test:8080",
        "http://127.0.0.1@example.test",
        "http://localhost:80@example.test",
        "https://user:pass@api.sandbox.co.in",
        "https://user@api.sandbox.co.in",
        "http://localhost.example.test",
        "http://127.0.0.1.nip.io",
        "http://[::ffff:10.0.0.1]",
        "https://api.sandbox.co.in/?x=1",
        "https://api.sandbox.co.in/#x",
        "file:///etc/passwd",
    ] {
        assert!(check_base(bad).is_err(), "{bad}");
    }
    let e = check_base("http://[::1]@example.test:8080").unwrap_err().to_string();
    assert!(e.contains("user name or password"), "{e}");
}

#[test]
fn credentials_are_trimmed_and_refused_when_not_header_safe() {
    let c = Credentials::checked(("k1\r\n", "K"), (" s1\n", "S")).unwrap();
    assert_eq!((c.key.as_str(), c.secret.as_str()), ("k1", "s1"));
    for (key, secret, from) in
        [("k\u{1}1", "s1", "K"), ("k1", "s\r1", "S"), ("k1", "sé", "S"), ("k\n1", "s_9", "K")]
    {
        let e = Credentials::checked((key, "K"), (secret, "S")).unwrap_err().to_string();
        assert!(e.contains(&format!("from {from} ")) && !e.contains(secret), "{e}");
    }
}

#[test]
fn secrets_and_tokens_are_redacted_from_provider_text() {
    let c = Credentials { key: "key_live_abc".into(), secret: "secret_xyz".into() };
    let client = Client::new("http://127.0.0.1:9".into(), c, Duration::from_secs(1), String::new());
    client.tokens.lock().unwrap().push("tok_123".into());
    let said = "bad x-api-key=key_live_abc x-api-secret: secret_xyz auth tok_123\u{1b}[2J";
    assert_eq!(
        client.clean(said),
        "bad x-api-key=[redacted] x-api-secret: [redacted] auth [redacted]<U+001B>[2J"
    );
    let Reply::Stop(m) = client.cleaned(Reply::Stop(said.into())) else { panic!() };
    assert!(!m.contains("key_live") && !m.contains("xyz") && !m.contains('\u{1b}'), "{m}");
}

#[test]
fn spec_7_1_the_provider_s_pre_check_and_published_rates() {
    for ok in ["27AAPFU0939F1ZV", "27aapfu0939f1zv", "29AAACR5055K1C3", "0717UNO00157UNO"] {
        assert!(provider_accepts(ok), "{ok}");
    }
    // TDS, OIDAR, NRTP, a regular GSTIN with another 14th character, a
    // zero entity number, a wrong length.
    for no in [
        "06DELI09652G1DA",
        "9917SGP29001OST",
        "0723USA00012NRQ",
        "27AAPFU0939F15V",
        "27AAPFU0939F0ZV",
        "27AAPFU0939F1Z",
        "27AAPFU0939F1Z-",
    ] {
        assert!(!provider_accepts(no), "{no}");
    }
    assert_eq!(published_rate("https://api.sandbox.co.in"), Some(100));
    assert_eq!(published_rate("https://TEST-API.sandbox.co.in:443/v1"), Some(25));
    assert_eq!(published_rate("http://127.0.0.1:8080"), None);
    assert_eq!(published_rate("https://api.sandbox.co.in.example"), None);
}

#[test]
fn credentials_never_print() {
    let c = Credentials { key: "key_live_abc".into(), secret: "secret_xyz".into() };
    assert_eq!(format!("{c:?}"), "Credentials(redacted)");
}

#[cfg(unix)]
#[test]
fn a_credentials_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("creds");
    std::fs::write(&p, "key = k1\nsecret=s1\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = Credentials::load(Some(&p)).unwrap_err().to_string();
    assert!(e.contains("readable by group or others") && !e.contains("s1"), "{e}");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let c = Credentials::load(Some(&p)).unwrap();
    assert_eq!((c.key.as_str(), c.secret.as_str()), ("k1", "s1"));
}
