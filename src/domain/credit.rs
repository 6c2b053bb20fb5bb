//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18
//! characters, the last a check character over the first 17.

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a code is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditError {
    Length(usize),
    Character(usize, char),
    Check { expected: char, found: char },
}

impl std::fmt::Display for CreditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CreditError::Length(n) => write!(f, "has {n} characters, not 18"),
            CreditError::Character(i, c) => {
                write!(f, "character {} ({:?}) is not allowed", i + 1, c)
            }
            CreditError::Check { expected, found } => {
                write!(f, "check character is {found}, should be {expected}")
            }
        }
    }
}

fn value(c: char) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&b| b as char == c)
        .map(|p| p as u32)
}

/// The check character for the first 17 characters of a code.
pub fn check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let idx = (31 - sum % 31) % 31;
    Some(CHARSET[idx as usize] as char)
}

/// Validates a code (upper-case, as printed on a business licence).
pub fn validate(code: &str) -> Result<(), CreditError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CreditError::Length(chars.len()));
    }
    for (i, c) in chars.iter().enumerate() {
        if value(*c).is_none() {
            return Err(CreditError::Character(i, *c));
        }
    }
    let first: String = chars[..17].iter().collect();
    let expected = check_char(&first).ok_or(CreditError::Length(chars.len()))?;
    if expected != chars[17] {
        return Err(CreditError::Check {
            expected,
            found: chars[17],
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_check_char_validates() {
        let first = "91110108MA01ABCDE";
        let c = check_char(first).expect("17 valid chars");
        let code = format!("{first}{c}");
        assert_eq!(validate(&code), Ok(()));
        // Any other last character fails with the expected one named.
        let other = if c == '0' { '1' } else { '0' };
        let bad = format!("{first}{other}");
        assert_eq!(
            validate(&bad),
            Err(CreditError::Check {
                expected: c,
                found: other
            })
        );
    }

    #[test]
    fn shape_errors() {
        assert_eq!(validate("123"), Err(CreditError::Length(3)));
        assert!(matches!(
            validate("91110108MA01ABCDEI"),
            Err(CreditError::Character(17, 'I'))
        ));
        // A check character that is right for a known pattern: all zeros.
        assert_eq!(check_char("00000000000000000"), Some('0'));
    }
}
