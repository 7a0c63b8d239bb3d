//! `gstbatch generate` (hidden): realistic test files for benchmarks.
//!
//! Writes `gstin,name,pan` rows: about 90 % valid GSTINs of every
//! registration type, the rest covering every error code, some values
//! written with spaces or lower case, some names that need quoting, and a
//! few repeated GSTINs. The same seed always gives the same file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::batch::output::Output;
use crate::error::Result;
use crate::exit::Exit;
use crate::ident::checksum::{ALPHABET, check_char};

/// A small deterministic generator (splitmix64): reproducible files without
/// a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::batch::mix64(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn letter(&mut self) -> u8 {
        b'A' + self.below(26) as u8
    }

    fn digit(&mut self) -> u8 {
        b'0' + self.below(10) as u8
    }
}

const STATES: [u8; 37] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 27,
    29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 97,
];

fn fill(r: &mut Rng, out: &mut [u8], f: fn(&mut Rng) -> u8) {
    for b in out {
        *b = f(r);
    }
}

fn pan(r: &mut Rng) -> [u8; 10] {
    let mut p = [0u8; 10];
    fill(r, &mut p[..3], Rng::letter);
    p[3] = b"PCHFATBLJG"[r.below(10) as usize];
    p[4] = r.letter();
    let serial = 1 + r.below(9999);
    p[5..9].copy_from_slice(format!("{serial:04}").as_bytes());
    p[9] = r.letter();
    p
}

/// A valid GSTIN body (14 characters) and the PAN it holds, if any.
fn body(r: &mut Rng) -> ([u8; 14], Option<[u8; 10]>) {
    let mut b = [0u8; 14];
    let state = STATES[r.below(STATES.len() as u64) as usize];
    b[..2].copy_from_slice(format!("{state:02}").as_bytes());
    let kind = r.below(100);
    let entity = |r: &mut Rng| b"123456789ABC"[r.below(12) as usize];
    if kind == 3 {
        // A government department ID: its check character must be a digit.
        loop {
            fill(r, &mut b[2..6], Rng::letter);
            fill(r, &mut b[6..11], Rng::digit);
            b[11] = r.letter();
            b[12] = r.digit();
            b[13] = b'Z';
            if check_char(&b).is_ascii_digit() {
                return (b, None);
            }
        }
    }
    if kind < 3 {
        // OIDAR, NRTP and UIN share a shape: year, country, 5 digits.
        let tail: &[u8; 2] = match kind {
            0 => {
                b[..2].copy_from_slice(b"99");
                b"OS"
            }
            1 => b"NR",
            _ => b"UN",
        };
        fill(r, &mut b[2..4], Rng::digit);
        fill(r, &mut b[4..7], Rng::letter);
        fill(r, &mut b[7..12], Rng::digit);
        b[12..].copy_from_slice(tail);
        return (b, None);
    }
    if kind < 6 {
        // TAN-based TDS.
        fill(r, &mut b[2..6], Rng::letter);
        fill(r, &mut b[6..11], Rng::digit);
        b[11] = r.letter();
        b[12] = entity(r);
        b[13] = b'D';
        return (b, None);
    }
    let p = pan(r);
    b[2..12].copy_from_slice(&p);
    b[12] = entity(r);
    b[13] = match kind {
        6..=7 => b'D',
        8..=9 => b'C',
        _ => b'Z',
    };
    (b, Some(p))
}

/// One invalid or messy value, cycling through the error codes.
fn flawed(r: &mut Rng, n: u64) -> String {
    let (mut b, _) = body(r);
    if n % 14 >= 12 {
        // Holder type and serial errors need a PAN inside.
        b[2..12].copy_from_slice(&pan(r));
        b[12] = b'1';
        b[13] = b'Z';
        if n % 14 == 12 {
            b[5] = b'E';
        } else {
            b[7..11].copy_from_slice(b"0000");
        }
    }
    let mut g = b.to_vec();
    g.push(check_char(&b));
    let text = |g: &[u8]| String::from_utf8_lossy(g).into_owned();
    match n % 14 {
        0 => String::new(),
        1 => text(&g[..14]),
        2 => {
            g[14] = b'#';
            text(&g)
        }
        3 => {
            g[..2].copy_from_slice(b"39");
            text(&g)
        }
        4 => {
            g[..2].copy_from_slice(b"28");
            text(&g)
        }
        5 => {
            g[8] = b'X';
            text(&g)
        }
        6 => "URP".to_string(),
        7 => {
            g[12] = b'0';
            text(&g)
        }
        8 | 9 => {
            // A wrong check character, or a look-alike typo.
            let i = 14 - (n % 3) as usize;
            g[i] = ALPHABET[(crate::ident::checksum::code_point(g[i]) as usize + 1) % 36];
            text(&g)
        }
        10 => format!(" {} ", text(&g).to_lowercase()),
        11 => {
            let s = text(&g);
            format!("{}-{}", &s[..2], &s[2..])
        }
        _ => text(&g),
    }
}

/// What `generate` is asked to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Data rows.
    pub rows: u64,
    /// Write access instructions over this many GSTINs instead of
    /// `gstin,name,pan` rows.
    pub instructions_over: Option<u64>,
    /// The same seed always gives the same file.
    pub seed: u64,
    /// Where to write (stdout when `None`).
    pub output: Option<PathBuf>,
}

/// Runs `generate`.
///
/// # Errors
/// [`crate::Error::Write`].
pub fn run(s: &Settings) -> Result<Exit> {
    match s.instructions_over {
        Some(gstins) => instructions(s.rows, gstins, s.seed, s.output.as_deref()),
        None => vendors(s.rows, s.seed, s.output.as_deref()),
    }
}

/// Writes `rows` rows of `gstin,name,pan` to `output` (stdout when `None`).
///
/// # Errors
/// [`crate::Error::Write`].
pub fn vendors(rows: u64, seed: u64, output: Option<&Path>) -> Result<Exit> {
    let mut out = Output::create(output)?;
    let mut r = Rng(seed);
    out.write_all(b"gstin,name,pan\n")?;
    let mut buf = Vec::with_capacity(256);
    let quoting = crate::input::scan::Quoting::new(b',');
    let mut recent: Vec<Vec<u8>> = Vec::new();
    for i in 0..rows {
        let roll = r.below(1000);
        let (gstin, pan_col) = if roll < 100 {
            (flawed(&mut r, i).into_bytes(), Vec::new())
        } else if roll < 115 && !recent.is_empty() {
            (recent[r.below(recent.len() as u64) as usize].clone(), Vec::new())
        } else {
            let (b, p) = body(&mut r);
            let mut g = b.to_vec();
            g.push(check_char(&b));
            if recent.len() < 1000 {
                recent.push(g.clone());
            } else {
                let k = r.below(1000) as usize;
                recent[k] = g.clone();
            }
            (g, p.map(|p| p.to_vec()).unwrap_or_default())
        };
        quoting.push(&mut buf, &gstin);
        buf.push(b',');
        match r.below(20) {
            0 => write!(buf, "\"Sharma & Sons, Unit {i}\"").ok(),
            1 => write!(buf, "\"{i}\"\" Pipes Co\"").ok(),
            _ => write!(buf, "Vendor {i}").ok(),
        };
        buf.push(b',');
        buf.extend_from_slice(&pan_col);
        buf.push(b'\n');
        // The output buffers its writes: one call a row is cheap.
        out.write_all(&buf)?;
        buf.clear();
    }
    out.commit()?;
    Ok(Exit::Clean)
}

/// Writes `rows` access instructions over `gstins` GSTINs: mostly enables
/// (6 hours to 30 days, in the spellings people use), about a quarter
/// disables, in increasing effective time one minute apart, ending before
/// 2026-01-01.
///
/// # Errors
/// [`crate::Error::Write`].
pub fn instructions(rows: u64, gstins: u64, seed: u64, output: Option<&Path>) -> Result<Exit> {
    let mut out = Output::create(output)?;
    let mut r = Rng(seed);
    let pool: Vec<String> = (0..gstins.max(1))
        .map(|_| {
            loop {
                let (b, p) = body(&mut r);
                if p.is_some() && b[13] == b'Z' {
                    let mut g = b.to_vec();
                    g.push(check_char(&b));
                    break String::from_utf8_lossy(&g).into_owned();
                }
            }
        })
        .collect();
    const DURATIONS: [&str; 8] =
        ["6h", "12 hours", "1 day", "2d", "7 days", "15 days", "30 days", "1 week"];
    let start = crate::time::parse("2025-01-01 00:00").unwrap_or(0);
    let mut buf = Vec::with_capacity(1 << 20);
    buf.extend_from_slice(b"gstin,action,duration,effective_at,reference\n");
    for i in 0..rows {
        let g = &pool[r.below(pool.len() as u64) as usize];
        let at =
            crate::time::format(&crate::time::from_epoch(start + i as i64 * 60 % (300 * 86400)));
        let at = if i as i64 * 60 >= 300 * 86400 {
            crate::time::format(&crate::time::from_epoch(start + 300 * 86400))
        } else {
            at
        };
        if r.below(4) == 0 {
            write!(buf, "{g},disable,,{at},T-{i}").ok();
        } else {
            let d = DURATIONS[r.below(DURATIONS.len() as u64) as usize];
            write!(buf, "{g},enable,{d},{at},T-{i}").ok();
        }
        buf.push(b'\n');
        out.write_all(&buf)?;
        buf.clear();
    }
    out.commit()?;
    Ok(Exit::Clean)
}
