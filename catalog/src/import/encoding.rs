//! The text encoding of an upload. UTF-8 is stored as it is; a file that is not UTF-8 but
//! reads as Windows-1252 (which includes Latin-1's printable range) is converted to UTF-8
//! as it streams, and the report says so; anything else is refused with the byte where
//! it went wrong.

/// How the bytes of an upload are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Windows1252,
}

/// Chooses the encoding from the first bytes of a file. `None`: neither reads it.
pub fn detect(first_bytes: &[u8]) -> Option<SourceEncoding> {
    match std::str::from_utf8(first_bytes) {
        Ok(_) => Some(SourceEncoding::Utf8),
        // A multi-byte character cut by the end of the sample is still UTF-8.
        Err(error) if error.error_len().is_none() => Some(SourceEncoding::Utf8),
        Err(_)
            if first_bytes
                .iter()
                .all(|&byte| windows_1252_char(byte).is_some()) =>
        {
            Some(SourceEncoding::Windows1252)
        }
        Err(_) => None,
    }
}

/// Checks UTF-8 across chunk boundaries.
#[derive(Debug, Default)]
pub struct Utf8Checker {
    /// The start of a character cut by the end of the previous chunk.
    carry: Vec<u8>,
    /// Bytes checked before the carry.
    offset: u64,
}

impl Utf8Checker {
    /// `Err(byte offset)` of the first byte that is not UTF-8.
    pub fn check(&mut self, chunk: &[u8]) -> Result<(), u64> {
        let mut joined;
        let bytes = if self.carry.is_empty() {
            chunk
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(chunk);
            &joined[..]
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {
                self.offset += bytes.len() as u64;
                Ok(())
            }
            Err(error) if error.error_len().is_none() => {
                let valid = error.valid_up_to();
                self.offset += valid as u64;
                self.carry = bytes[valid..].to_vec();
                Ok(())
            }
            Err(error) => Err(self.offset + error.valid_up_to() as u64),
        }
    }

    /// Bytes passed to [`Utf8Checker::check`] so far.
    pub fn bytes_fed(&self) -> u64 {
        self.offset + self.carry.len() as u64
    }

    /// At the end of the file: a character still cut off is an error.
    pub fn finish(&self) -> Result<(), u64> {
        if self.carry.is_empty() {
            Ok(())
        } else {
            Err(self.offset)
        }
    }
}

/// Appends `chunk`, read as Windows-1252, to `out` as UTF-8. `Err(index)` of a byte
/// Windows-1252 leaves undefined.
pub fn windows_1252_to_utf8(chunk: &[u8], out: &mut Vec<u8>) -> Result<(), usize> {
    for (index, &byte) in chunk.iter().enumerate() {
        let character = windows_1252_char(byte).ok_or(index)?;
        let mut buffer = [0u8; 4];
        out.extend_from_slice(character.encode_utf8(&mut buffer).as_bytes());
    }
    Ok(())
}

/// The character a Windows-1252 byte stands for (`None` for the five undefined bytes).
fn windows_1252_char(byte: u8) -> Option<char> {
    const HIGH: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => Some(char::from(byte)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_windows_1252_are_told_apart() {
        assert_eq!(
            detect("café,naïve\n".as_bytes()),
            Some(SourceEncoding::Utf8)
        );
        assert_eq!(
            detect(b"caf\xe9,na\xefve\n"),
            Some(SourceEncoding::Windows1252)
        );
        assert_eq!(detect(b"price \x80 5\n"), Some(SourceEncoding::Windows1252));
        // 0x81 is undefined in Windows-1252 and invalid in UTF-8.
        assert_eq!(detect(b"a\x81b\xff\n"), None);
        // A character cut by the end of the sample.
        assert_eq!(detect(&"é".as_bytes()[..1]), Some(SourceEncoding::Utf8));
    }

    #[test]
    fn windows_1252_converts_to_utf8() {
        let mut out = Vec::new();
        windows_1252_to_utf8(b"caf\xe9 \x80 \x93quoted\x94", &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "café € “quoted”");
        assert_eq!(windows_1252_to_utf8(b"ok\x8d", &mut Vec::new()), Err(2));
    }

    #[test]
    fn the_utf8_checker_accepts_characters_split_across_chunks() {
        let text = "añb€c".as_bytes();
        for split in 0..text.len() {
            let mut checker = Utf8Checker::default();
            checker.check(&text[..split]).unwrap();
            checker.check(&text[split..]).unwrap();
            checker.finish().unwrap();
        }
    }

    #[test]
    fn the_utf8_checker_reports_the_offset_of_a_bad_byte() {
        let mut checker = Utf8Checker::default();
        checker.check(b"abc").unwrap();
        assert_eq!(checker.check(b"de\xfff"), Err(5));
        let mut cut = Utf8Checker::default();
        cut.check(&"é".as_bytes()[..1]).unwrap();
        assert_eq!(cut.finish(), Err(0));
    }
}
