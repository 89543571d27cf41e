//! `/survei/kode/`: a survey code for a citizen served in person. Staff
//! choose the service (or none) and press "Buat kode survei"; loket makes a
//! code ([`access::new_code`]), records the invitation
//! ([`Surveys::invite`], keyed by the code as [`access::normalize`] gives
//! it) and answers with a page to print or show on the office's tablet: the
//! code in large type, the public address `/survei/?kode=CODE`, and a QR
//! code of that address (inline SVG). The code is shown this once (the
//! page is the POST's answer, never a URL of the desk) and is not written
//! to the audit log.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Serialize;

use super::super::{Answer, Body, Desk, Staff, blocking, messages};
use crate::cases::access;
use crate::core::dates;
use crate::survey::store::{Invitation, Kind, Surveys};

/// The field naming the service; [`NO_SERVICE`] for none.
const SERVICE: &str = "layanan";
const NO_SERVICE: &str = "-";

#[derive(Serialize)]
struct Service {
    id: String,
    title: String,
    selected: bool,
}

#[derive(Serialize, Default)]
struct CodePage {
    services: Vec<Service>,
    /// What was wrong with the form.
    error: String,
    /// The code made ("KXM4-7PRT"), its address and QR, once made.
    code: String,
    address: String,
    qr_svg: String,
    service: String,
}

fn services(desk: &Desk, chosen: &str) -> Vec<Service> {
    (desk.office)()
        .forms
        .iter()
        .map(|f| Service {
            id: f.id.to_string(),
            title: f.title.clone(),
            selected: f.id.as_ref() == chosen,
        })
        .collect()
}

fn render(desk: &Desk, staff: &Staff, status: StatusCode, view: &CodePage) -> Response<Body> {
    desk.page(staff, "survei-kode", "survei-kode.html", status, view)
}

/// `GET /survei/kode/`: the form.
pub fn form(desk: &Desk, staff: &Staff) -> Response<Body> {
    let view = CodePage {
        services: services(desk, ""),
        ..CodePage::default()
    };
    render(desk, staff, StatusCode::OK, &view)
}

/// "KXM47PRT" as people read and type it: "KXM4-7PRT".
fn shown(code: &str) -> String {
    access::display(code).replace(' ', "-")
}

/// The QR code of `address` as an inline SVG element (no XML prolog),
/// scaled by the page's stylesheet.
fn qr_svg(address: &str) -> Result<String, qrcode::types::QrError> {
    let svg = QrCode::new(address.as_bytes())?
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen(
        "<svg ",
        "<svg class=\"qr\" role=\"img\" aria-label=\"Kode QR alamat survei\" ",
        1,
    ))
}

/// `POST /survei/kode/`: makes a code and shows it.
pub async fn make(desk: &Arc<Desk>, req: Request<Incoming>, staff: &Staff) -> Answer {
    let posted = desk.posted(req, staff).await?;
    let chosen = posted.get(SERVICE);
    let forms = (desk.office)().forms;
    let form = match chosen.as_str() {
        NO_SERVICE => None,
        id => match forms.get(id) {
            Some(f) => Some(f.id.to_string()),
            None => {
                let view = CodePage {
                    services: services(desk, ""),
                    error: "Pilih layanan yang baru diberikan, atau pilih \"Tidak disebut\"."
                        .into(),
                    ..CodePage::default()
                };
                return Err(render(desk, staff, StatusCode::UNPROCESSABLE_ENTITY, &view));
            }
        },
    };
    let invitation = Invitation {
        issued: dates::today(),
        kind: Kind::WalkIn,
        form: form.clone(),
    };
    let data = desk.data.clone();
    let made = blocking(move || {
        let surveys = Surveys::new(&data);
        // A code already invited (one in 10^12) is never reused: another.
        for _ in 0..5 {
            let code = access::new_code()?;
            if surveys.invite(&code, &invitation)? {
                return Ok(code);
            }
        }
        Err(std::io::Error::other("no unused survey code"))
    })
    .await;
    let code = match made {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(target: "loket::desk", "no walk-in survey code: {e}");
            return Err(desk.error_page(Some(staff), messages::SURVEY_FAULT));
        }
    };
    let detail = match &form {
        Some(id) => format!("kode survei dibuat ({id})"),
        None => "kode survei dibuat".to_string(),
    };
    super::audit(desk, staff, &detail).await;
    let office = (desk.office)();
    let code = shown(&code);
    let address = format!(
        "{}{}?kode={code}",
        office.config.base_url.trim_end_matches('/'),
        super::SURVEY_PATH
    );
    let qr = match qr_svg(&address) {
        Ok(qr) => qr,
        Err(e) => {
            tracing::error!(target: "loket::desk", "no QR code for the survey address: {e}");
            String::new()
        }
    };
    let view = CodePage {
        service: form
            .and_then(|id| forms.get(&id).map(|f| f.title.clone()))
            .unwrap_or_default(),
        code,
        address,
        qr_svg: qr,
        ..CodePage::default()
    };
    Ok(render(desk, staff, StatusCode::OK, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_is_an_inline_svg_element() {
        let svg = qr_svg("https://layanan.example.go.id/survei/?kode=KXM4-7PRT").unwrap();
        assert!(
            svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"Kode QR alamat survei\" "),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>") && svg.contains("<path"));
        assert_eq!(shown("KXM47PRT"), "KXM4-7PRT");
    }
}
