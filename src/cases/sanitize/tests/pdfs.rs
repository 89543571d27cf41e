//! PDFs: clean ones kept byte for byte, active, encrypted or fake ones
//! refused.

use super::*;

/// A PDF of `objects` (bodies of objects 1, 2, …), with a correct
/// cross-reference table and trailer.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A stream object's body: `dictionary` (without `<<`, `>>` and
/// `/Length`) and `data`.
fn stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend(data);
    body.extend(b"\nendstream");
    body
}

/// An object stream holding `objects` (numbered from `first`), compressed
/// with FlateDecode.
fn object_stream(first: u32, objects: &[&str]) -> Vec<u8> {
    let mut index = String::new();
    let mut bodies = String::new();
    for (i, object) in objects.iter().enumerate() {
        index.push_str(&format!("{} {} ", first + i as u32, bodies.len()));
        bodies.push_str(object);
        bodies.push('\n');
    }
    let data = format!("{index}{bodies}");
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(data.as_bytes(), 6);
    let dictionary = format!(
        "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
        objects.len(),
        index.len()
    );
    stream(&dictionary, &compressed)
}

/// Bytes that look random, with `/JS`, `/AA` and `obj` among them, as in
/// compressed image data.
fn noise() -> Vec<u8> {
    let mut state = 0x9E37_79B9_u32;
    let mut bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    bytes[100..104].copy_from_slice(b"/JS ");
    bytes[900..905].copy_from_slice(b"/AA <");
    bytes[2000..2004].copy_from_slice(b" obj");
    bytes
}

fn catalog(extra: &str) -> Vec<u8> {
    format!("<< /Type /Catalog /Pages 2 0 R {extra} >>").into_bytes()
}

fn pages() -> Vec<u8> {
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()
}

fn page(extra: &str) -> Vec<u8> {
    format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R {extra} >>")
        .into_bytes()
}

fn content() -> Vec<u8> {
    stream("", b"BT /F1 12 Tf 72 770 Td (Surat keterangan usaha) Tj ET")
}

/// A clean PDF as a word processor writes it: a destination to open at,
/// a web link, an image whose bytes happen to hold `/JS`, and objects
/// packed in an object stream.
pub(super) fn clean() -> Vec<u8> {
    pdf(&[
        catalog("/OpenAction [3 0 R /Fit] /PageMode /UseNone"),
        pages(),
        page("/Annots [6 0 R] /Resources << /XObject << /Im1 5 0 R >> >>"),
        content(),
        stream(
            "/Type /XObject /Subtype /Image /Width 32 /Height 32 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /DCTDecode",
            &noise(),
        ),
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 200 720] /A << /S /URI /URI (https://jombangkab.go.id/) >> >>".to_vec(),
        object_stream(8, &["<< /Producer (LibreOffice) >>", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]),
    ])
}

fn refused(objects: &[Vec<u8>]) -> Refused {
    run(FileKind::Pdf, &pdf(objects)).unwrap_err()
}

fn javascript() -> Refused {
    Refused::ActivePdf { what: "JavaScript" }
}

#[test]
fn clean_pdf_is_kept_byte_for_byte() {
    let upload = clean();
    let (kept, bytes) = run(FileKind::Pdf, &upload).unwrap();
    assert_eq!(bytes, upload);
    assert_eq!(kept.file_type, FileKind::Pdf);
    assert_eq!(kept.dimensions, None);
    // An empty /AA is no action.
    assert!(run(FileKind::Pdf, &pdf(&[catalog("/AA << >>"), pages()])).is_ok());
}

#[test]
fn open_action_javascript_is_refused() {
    let action = "/OpenAction << /S /JavaScript /JS (app.alert('x');) >>";
    assert!(matches!(
        refused(&[catalog(action), pages()]),
        Refused::ActivePdf { .. }
    ));
    // An action dictionary of any type, run on opening.
    let action = "/OpenAction << /S /Named /N /Print >>";
    assert_eq!(
        refused(&[catalog(action), pages()]),
        Refused::ActivePdf {
            what: "automatic action"
        }
    );
}

#[test]
fn hex_escaped_names_are_decoded() {
    let action = "/OpenAction 5 0 R";
    let script = b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>".to_vec();
    assert_eq!(
        refused(&[catalog(action), pages(), page(""), content(), script]),
        javascript()
    );
}

#[test]
fn javascript_in_a_compressed_object_stream_is_refused() {
    let script = format!("<< /S /JavaScript /JS ({}) >>", "app.alert(1); ".repeat(20));
    let hidden = object_stream(6, &[&script]);
    assert!(
        !hidden.windows(10).any(|w| w == b"JavaScript"),
        "compressed"
    );
    assert_eq!(
        refused(&[
            catalog("/OpenAction 6 0 R"),
            pages(),
            page(""),
            content(),
            hidden
        ]),
        javascript()
    );
}

#[test]
fn launch_and_page_actions_are_refused() {
    let launch = "/A << /S /Launch /F (cmd.exe) >>";
    assert_eq!(
        refused(&[catalog(""), pages(), page(launch), content()]),
        Refused::ActivePdf {
            what: "launch action"
        }
    );
    let on_open = "/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>";
    assert_eq!(
        refused(&[catalog(""), pages(), page(on_open), content()]),
        Refused::ActivePdf {
            what: "automatic action"
        }
    );
    let remote = "/A << /S /GoToR /F (\\\\\\\\server\\\\share\\\\x.pdf) /D [0 /Fit] >>";
    assert_eq!(
        refused(&[catalog(""), pages(), page(remote), content()]),
        Refused::ActivePdf {
            what: "link to another file"
        }
    );
}

#[test]
fn embedded_file_is_refused() {
    let names = "/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>";
    let spec = b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>".to_vec();
    let file = stream("/Type /EmbeddedFile", b"MZ\x90\x00");
    assert_eq!(
        refused(&[catalog(names), pages(), page(""), content(), spec, file]),
        Refused::ActivePdf {
            what: "embedded file"
        }
    );
}

#[test]
fn pdf_header_then_elf_is_refused() {
    let mut upload = b"%PDF-\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    upload.extend([0; 200]);
    assert_eq!(FileKind::sniff(&upload), Some(FileKind::Pdf));
    assert_eq!(run(FileKind::Pdf, &upload).unwrap_err(), Refused::BrokenPdf);
    // Even with a well-formed header line and a PDF's last lines.
    let mut upload = b"%PDF-1.7\n\x7FELF\x02\x01\x01\0".to_vec();
    upload.extend([0; 200]);
    upload.extend(b"\nstartxref\n0\n%%EOF\n");
    assert_eq!(run(FileKind::Pdf, &upload).unwrap_err(), Refused::BrokenPdf);
}

#[test]
fn damaged_pdfs_are_refused() {
    let whole = clean();
    let cut = &whole[..whole.len() - 40];
    assert_eq!(run(FileKind::Pdf, cut).unwrap_err(), Refused::BrokenPdf);
    let no_objects = b"%PDF-1.4\n%\xE2\xE3\n<html>\nstartxref\n0\n%%EOF\n";
    assert_eq!(
        run(FileKind::Pdf, no_objects).unwrap_err(),
        Refused::BrokenPdf
    );
    let mut unended = pdf(&[catalog(""), pages()]);
    let at = unended.len() - 30;
    unended.splice(at..at, b"9 0 obj << >> stream\nxxxx".iter().copied());
    assert_eq!(
        run(FileKind::Pdf, &unended).unwrap_err(),
        Refused::BrokenPdf
    );
}

#[test]
fn encrypted_pdf_is_refused() {
    let mut upload = pdf(&[
        catalog(""),
        pages(),
        b"<< /Filter /Standard /V 2 /R 3 >>".to_vec(),
    ]);
    let trailer = upload.windows(7).position(|w| w == b"/Root 1").unwrap();
    upload.splice(trailer..trailer, b"/Encrypt 3 0 R ".iter().copied());
    assert_eq!(run(FileKind::Pdf, &upload).unwrap_err(), Refused::LockedPdf);
}

#[test]
fn object_streams_that_cannot_be_read_are_refused() {
    let hex = stream(
        "/Type /ObjStm /N 1 /First 4 /Filter [/ASCIIHexDecode /FlateDecode]",
        b"00",
    );
    assert_eq!(
        refused(&[catalog(""), pages(), hex]),
        Refused::UncheckablePdf
    );
    // 16 MB of spaces: over a 1 MB budget.
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![b' '; 16 << 20], 9);
    let bomb = stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &bomb);
    let limits = SanitizeLimits {
        max_pdf_inflated: 1 << 20,
        ..SanitizeLimits::default()
    };
    let upload = pdf(&[catalog(""), pages(), bomb]);
    assert_eq!(
        run_with(limits, FileKind::Pdf, &upload).unwrap_err(),
        Refused::UncheckablePdf
    );
}

#[test]
fn objects_hidden_in_fake_stream_data_are_scanned() {
    // A "stream" whose /Length stops before an object that the
    // cross-reference table can point to.
    let mut decoy = b"<< /Length 4 >>\nstream\nAAAA\n".to_vec();
    decoy.extend(b"6 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n");
    decoy.extend(b"endstream");
    assert_eq!(
        refused(&[
            catalog("/OpenAction 6 0 R"),
            pages(),
            page(""),
            content(),
            decoy
        ]),
        javascript()
    );
}

// The words `stream` and `endstream` inside strings and comments are text:
// they must not make the check skip what lies between them (issue 24).

#[test]
fn stream_keywords_inside_a_literal_string_hide_nothing() {
    // Nested parentheses and an escaped one keep the string open.
    let action = "/Lang (en (x) \\) stream\n) /OpenAction << /S /JavaScript /JS (app.alert(1)) >> /PageLabels (endstream)";
    assert!(matches!(
        refused(&[catalog(action), pages()]),
        Refused::ActivePdf { .. }
    ));
}

#[test]
fn stream_keywords_inside_comments_hide_nothing() {
    let launch = "%stream\n/A << /S /Launch /F (cmd.exe) >> %endstream\n";
    assert_eq!(
        refused(&[catalog(""), pages(), page(launch), content()]),
        Refused::ActivePdf {
            what: "launch action"
        }
    );
    // A comment between /OpenAction and its dictionary.
    let action = "/OpenAction %stream\n<< /S /Named /N /Print >> %endstream\n";
    assert_eq!(
        refused(&[catalog(action), pages()]),
        Refused::ActivePdf {
            what: "automatic action"
        }
    );
}

#[test]
fn stream_keywords_inside_hex_strings_hide_nothing() {
    // A lenient reader ignores the letters that are not hex digits.
    let remote = "/ID <stream\n> /A << /S /GoToR /F (\\\\\\\\attacker\\\\share\\\\x.pdf) /D [0 /Fit] >> /X <endstream>";
    assert_eq!(
        refused(&[catalog(""), pages(), page(remote), content()]),
        Refused::ActivePdf {
            what: "link to another file"
        }
    );
}

#[test]
fn an_object_stream_behind_a_commented_stream_keyword_is_read() {
    let script = "<< /S /JavaScript /JS (app.alert(1)) >>";
    let packed = object_stream(6, &[script]);
    // The dictionary opens with a comment holding the keyword.
    let hidden = [b"<< %stream\n".as_slice(), &packed[2..]].concat();
    assert_eq!(
        refused(&[
            catalog("/OpenAction 6 0 R"),
            pages(),
            page(""),
            content(),
            hidden
        ]),
        javascript()
    );
    // So is one that says what it is only by /First.
    let mut unnamed = object_stream(6, &[script]);
    let at = unnamed
        .windows(14)
        .position(|w| w == b"/Type /ObjStm ")
        .unwrap();
    unnamed.drain(at..at + 14);
    assert_eq!(
        refused(&[catalog("/OpenAction 6 0 R"), pages(), unnamed]),
        javascript()
    );
}

#[test]
fn an_object_inside_a_string_that_the_table_can_point_to_is_refused() {
    // The token check reads a string; the name scan still sees the names a
    // reader would find at an offset inside it.
    let decoy = b"(6 0 obj << /S /Launch /F (cmd.exe) >> endobj)".to_vec();
    assert_eq!(
        refused(&[catalog(""), pages(), decoy]),
        Refused::ActivePdf {
            what: "launch action"
        }
    );
}

#[test]
fn stream_data_is_skipped_by_its_length_or_its_endstream() {
    // Binary data holding `(` and `/JS` is not read as tokens, whether its
    // /Length is right, indirect or wrong.
    let data = [b"(((".as_slice(), &noise()].concat();
    for length in ["", "/Length 4 0 R", "/Length 3", "/Length 4103 /Length 3"] {
        let image = format!("<< /Type /XObject /Subtype /Image {length} >>\nstream\n");
        let body = [image.as_bytes(), &data, b"\nendstream"].concat();
        let upload = pdf(&[catalog(""), pages(), body, b"4099".to_vec()]);
        assert!(run(FileKind::Pdf, &upload).is_ok(), "{length}");
    }
}

#[test]
fn pdfs_made_by_real_writers_are_kept() {
    // Chromium's "print to PDF" of a page with text, a link, an image and
    // the words (stream) and endstream % in its text; Ghostscript's
    // pdfwrite (10.00) of the same words, with indirect stream lengths;
    // qpdf's `--object-streams=generate` of the Chromium one (its
    // dictionaries in an object stream, a cross-reference stream).
    for name in ["chromium.pdf", "ghostscript.pdf", "object-streams.pdf"] {
        let upload = fixture(name);
        let (_, bytes) = run(FileKind::Pdf, &upload).unwrap();
        assert_eq!(bytes, upload, "{name}");
    }
}

#[test]
fn javascript_packed_by_a_real_writer_is_refused() {
    // The Chromium PDF with an /OpenAction JavaScript added to its catalog,
    // which qpdf then packed into a compressed object stream.
    let upload = fixture("javascript-in-object-stream.pdf");
    assert!(!upload.windows(10).any(|w| w == b"JavaScript"));
    assert!(matches!(
        run(FileKind::Pdf, &upload),
        Err(Refused::ActivePdf { .. })
    ));
}

#[test]
fn a_second_length_does_not_hide_what_a_reader_taking_the_first_finds() {
    // A reader taking `/Length 4` ends the data after `AAAA`, and reads
    // the dictionary after the first `endstream` as part of this object.
    let mut body = b"<< /Length 4 /Length 80 >>\nstream\nAAAA\nendstream\n".to_vec();
    body.extend(b"/X (stream\n) /OpenAction << /S /Named /N /Print >>\n");
    let rest = 80 - (body.len() - b"<< /Length 4 /Length 80 >>\nstream\n".len());
    body.extend(std::iter::repeat_n(b'A', rest));
    body.extend(b"\nendstream");
    assert_eq!(
        refused(&[catalog(""), pages(), body]),
        Refused::ActivePdf {
            what: "automatic action"
        }
    );
}
