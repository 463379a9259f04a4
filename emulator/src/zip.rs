//! Minimal zip support for skills: reading uploads (stored or deflated
//! entries, no zip64/encryption) and writing downloads (stored entries).

use crate::errors::{ApiError, ApiResult};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
/// Largest total uncompressed size accepted from one archive.
const MAX_UNPACKED: usize = 64 * 1024 * 1024;

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE) as used by zip.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in data {
        c = CRC_TABLE[((c ^ *b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Whether the bytes start like a zip archive.
pub fn looks_like_zip(data: &[u8]) -> bool {
    data.len() >= 4 && u32::from_le_bytes([data[0], data[1], data[2], data[3]]) == LOCAL_SIG
}

fn u16_at(d: &[u8], i: usize) -> Option<usize> {
    d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
}

fn u32_at(d: &[u8], i: usize) -> Option<usize> {
    d.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Reads every file entry (directories skipped) as `(path, bytes)`.
pub fn read(data: &[u8], param: &str) -> ApiResult<Vec<(String, Vec<u8>)>> {
    let bad = |m: &str| ApiError::param(param, format!("Invalid zip archive: {m}."));
    let min = data.len().saturating_sub(22 + 65_535);
    let eocd = (min..=data.len().saturating_sub(22))
        .rev()
        .find(|&i| u32_at(data, i) == Some(END_SIG as usize))
        .ok_or_else(|| bad("end of central directory not found"))?;
    let count = u16_at(data, eocd + 10).ok_or_else(|| bad("truncated"))?;
    let mut pos = u32_at(data, eocd + 16).ok_or_else(|| bad("truncated"))?;
    let mut out = Vec::with_capacity(count);
    let mut total = 0usize;
    for _ in 0..count {
        if u32_at(data, pos) != Some(CENTRAL_SIG as usize) {
            return Err(bad("corrupt central directory"));
        }
        let field = |off: usize, wide: bool| if wide { u32_at(data, pos + off) } else { u16_at(data, pos + off) };
        let (method, csize, usize_, nlen, elen, clen, local) = (
            field(10, false),
            field(20, true),
            field(24, true),
            field(28, false),
            field(30, false),
            field(32, false),
            field(42, true),
        );
        let (Some(method), Some(csize), Some(usize_), Some(nlen), Some(elen), Some(clen), Some(local)) =
            (method, csize, usize_, nlen, elen, clen, local)
        else {
            return Err(bad("truncated central directory"));
        };
        let name_bytes = data.get(pos + 46..pos + 46 + nlen).ok_or_else(|| bad("truncated name"))?;
        let name = String::from_utf8_lossy(name_bytes).replace('\\', "/");
        pos += 46 + nlen + elen + clen;
        if name.ends_with('/') {
            continue;
        }
        if u32_at(data, local) != Some(LOCAL_SIG as usize) {
            return Err(bad("corrupt local header"));
        }
        let lnlen = u16_at(data, local + 26).ok_or_else(|| bad("truncated"))?;
        let lelen = u16_at(data, local + 28).ok_or_else(|| bad("truncated"))?;
        let start = local + 30 + lnlen + lelen;
        let raw = data.get(start..start + csize).ok_or_else(|| bad("truncated entry"))?;
        total += usize_;
        if total > MAX_UNPACKED {
            return Err(bad("archive expands to more than 64 MiB"));
        }
        let bytes = match method {
            0 => raw.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, MAX_UNPACKED)
                .map_err(|_| bad(&format!("cannot inflate '{name}'")))?,
            m => return Err(bad(&format!("unsupported compression method {m} for '{name}'"))),
        };
        out.push((name, bytes));
    }
    Ok(out)
}

/// Writes a zip with stored (uncompressed) entries.
pub fn write(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    // 1980-01-01 00:00 in DOS format.
    let (time, date) = (0u16, (1u16 << 5) | 1);
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let n = name.as_bytes();
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed
        common.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 names
        common.extend_from_slice(&0u16.to_le_bytes()); // stored
        common.extend_from_slice(&time.to_le_bytes());
        common.extend_from_slice(&date.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(n.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length
        out.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(n);
        out.extend_from_slice(data);
        central.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0u8; 6]); // comment len, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(n);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END_SIG.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]); // disk numbers
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_inflates() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let files = vec![("s/SKILL.md".to_string(), b"---\nname: s\n---\n".to_vec()), ("s/a.txt".to_string(), vec![])];
        let z = write(&files);
        assert!(looks_like_zip(&z));
        assert_eq!(read(&z, "file").unwrap(), files);
        // A deflated entry built by hand.
        let payload = b"hello hello hello hello".to_vec();
        let deflated = miniz_oxide::deflate::compress_to_vec(&payload, 6);
        let mut z = write(&[("x.txt".to_string(), deflated.clone())]);
        z[8] = 8; // local header method
        let cd = z.len() - 22 - (46 + 5);
        z[cd + 10] = 8; // central method
        z[cd + 24..cd + 28].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        assert_eq!(read(&z, "file").map_err(|e| e.message).unwrap()[0].1, payload);
        assert!(read(b"not a zip", "file").is_err());
    }
}
