//! The Remote Execution API's `ActionResult` in protobuf wire format, as much of it as a
//! cached step needs: output files (path, digest, executable bit), the exit code and the
//! digest of the captured output. Field numbers follow
//! `build/bazel/remote/execution/v2/remote_execution.proto`, so servers that validate
//! action results (bazel-remote does by default) accept what the engine stores; unknown
//! fields are skipped on reading, as protobuf requires.

/// `Digest { hash = 1; size_bytes = 2; }`: a blob's sha256 (lowercase hex) and length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub hash: String,
    pub size: u64,
}

/// `OutputFile { path = 1; digest = 2; is_executable = 4; }`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub digest: Digest,
    pub executable: bool,
}

/// `ActionResult { output_files = 2; exit_code = 4; stdout_digest = 6; }`
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionResult {
    pub files: Vec<OutputFile>,
    pub exit_code: i32,
    pub stdout: Option<Digest>,
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

impl Digest {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        bytes_field(&mut out, 1, self.hash.as_bytes());
        if self.size != 0 {
            tag(&mut out, 2, 0);
            varint(&mut out, self.size);
        }
        out
    }

    fn decode(bytes: &[u8]) -> Result<Digest, String> {
        let mut digest = Digest {
            hash: String::new(),
            size: 0,
        };
        for field in Fields::new(bytes) {
            match field? {
                (1, Value::Bytes(b)) => digest.hash = text(b, "Digest.hash")?,
                (2, Value::Varint(v)) => digest.size = v,
                _ => {}
            }
        }
        Ok(digest)
    }
}

impl ActionResult {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for file in &self.files {
            let mut inner = Vec::new();
            bytes_field(&mut inner, 1, file.path.as_bytes());
            bytes_field(&mut inner, 2, &file.digest.encode());
            if file.executable {
                tag(&mut inner, 4, 0);
                varint(&mut inner, 1);
            }
            bytes_field(&mut out, 2, &inner);
        }
        if self.exit_code != 0 {
            tag(&mut out, 4, 0);
            // int32: negative values are sign-extended to ten bytes.
            varint(&mut out, i64::from(self.exit_code) as u64);
        }
        if let Some(stdout) = &self.stdout {
            bytes_field(&mut out, 6, &stdout.encode());
        }
        out
    }

    /// Reads an action result; `Err` says what is malformed.
    pub fn decode(bytes: &[u8]) -> Result<ActionResult, String> {
        let mut result = ActionResult::default();
        for field in Fields::new(bytes) {
            match field? {
                (2, Value::Bytes(b)) => {
                    let mut path = None;
                    let mut digest = None;
                    let mut executable = false;
                    for inner in Fields::new(b) {
                        match inner? {
                            (1, Value::Bytes(p)) => path = Some(text(p, "OutputFile.path")?),
                            (2, Value::Bytes(d)) => digest = Some(Digest::decode(d)?),
                            (4, Value::Varint(v)) => executable = v != 0,
                            _ => {}
                        }
                    }
                    let (Some(path), Some(digest)) = (path, digest) else {
                        return Err("an output file without a path or a digest".into());
                    };
                    result.files.push(OutputFile {
                        path,
                        digest,
                        executable,
                    });
                }
                (4, Value::Varint(v)) => result.exit_code = v as i64 as i32,
                (6, Value::Bytes(b)) => result.stdout = Some(Digest::decode(b)?),
                _ => {}
            }
        }
        Ok(result)
    }
}

fn text(bytes: &[u8], what: &str) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not UTF-8"))
}

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of one message, in order.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Fields { rest: bytes }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.rest.split_first().ok_or("a truncated varint")?;
            self.rest = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a varint longer than ten bytes".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err("a field longer than the message".into());
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(taken)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u32, Value<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let field = (|| {
            let key = self.varint()?;
            let number = u32::try_from(key >> 3).map_err(|_| "a field number out of range")?;
            let value = match key & 7 {
                0 => Value::Varint(self.varint()?),
                1 => {
                    self.take(8)?;
                    Value::Fixed
                }
                2 => {
                    let len =
                        usize::try_from(self.varint()?).map_err(|_| "a length out of range")?;
                    Value::Bytes(self.take(len)?)
                }
                5 => {
                    self.take(4)?;
                    Value::Fixed
                }
                wire => return Err(format!("wire type {wire} is not supported")),
            };
            Ok((number, value))
        })();
        if field.is_err() {
            self.rest = &[];
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(hash: &str, size: u64) -> Digest {
        Digest {
            hash: hash.into(),
            size,
        }
    }

    #[test]
    fn encodes_the_wire_format_protoc_would() {
        let result = ActionResult {
            files: vec![OutputFile {
                path: "a".into(),
                digest: digest("ab", 3),
                executable: true,
            }],
            exit_code: 0,
            stdout: Some(digest("cd", 0)),
        };
        // output_files(2): { path(1) "a", digest(2) { hash(1) "ab", size(2) 3 }, is_executable(4) 1 }
        // stdout_digest(6): { hash(1) "cd" }
        let expected = [
            0x12, 0x0d, 0x0a, 0x01, b'a', 0x12, 0x06, 0x0a, 0x02, b'a', b'b', 0x10, 0x03, 0x20,
            0x01, 0x32, 0x04, 0x0a, 0x02, b'c', b'd',
        ];
        assert_eq!(result.encode(), expected);
        assert_eq!(ActionResult::decode(&expected), Ok(result));
    }

    #[test]
    fn round_trips_and_skips_unknown_fields() {
        let result = ActionResult {
            files: vec![
                OutputFile {
                    path: "target/x".into(),
                    digest: digest(&"f".repeat(64), 1 << 40),
                    executable: false,
                },
                OutputFile {
                    path: "bin/tool".into(),
                    digest: digest(&"0".repeat(64), 300),
                    executable: true,
                },
            ],
            exit_code: -1,
            stdout: None,
        };
        let mut bytes = result.encode();
        // execution_metadata (9) and a fixed64 field (15) a newer writer might add.
        bytes.extend_from_slice(&[0x4a, 0x02, 0x0a, 0x00, 0x79, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(ActionResult::decode(&bytes), Ok(result));
    }

    #[test]
    fn malformed_bytes_are_errors_not_panics() {
        assert!(ActionResult::decode(&[0x12, 0x05, 0x0a]).is_err());
        assert!(ActionResult::decode(&[0x12]).is_err());
        assert!(ActionResult::decode(&[0x12, 0x02, 0x0a, 0x00]).is_err());
        assert!(ActionResult::decode(&[0x0b]).is_err());
        assert!(ActionResult::decode(&[0xff; 12]).is_err());
    }
}
