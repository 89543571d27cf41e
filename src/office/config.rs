//! The site config (`site.yaml` at the site root): who the office is and how
//! to reach it. Templates read it as `site`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::core::diagnostic::Diagnostic;
use crate::core::yaml;

/// File name of the site config inside the site root.
pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL the site is published at, e.g. `https://layanan.example.go.id`.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    pub office: Office,
    pub contact: Contact,
    #[serde(default)]
    pub social: Vec<SocialLink>,
    /// The personal data notice of the forms (UU 27/2022).
    #[serde(default, rename = "privacy")]
    privacy_given: PrivacyGiven,
    /// What the office publishes besides its service pages; each is shown
    /// only when filled in.
    #[serde(default)]
    pub publish: Publish,
    /// How strict `loket check` and `loket build` are.
    #[serde(default)]
    pub check: CheckConfig,
    /// The notice as shown: the office's values, loket's defaults elsewhere.
    #[serde(skip)]
    pub privacy: Privacy,
    /// Warnings about the config itself (defaults in use, a local base_url).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Office {
    pub name: String,
    #[serde(default)]
    pub parent: String,
    pub address: String,
    pub phone: String,
    #[serde(default)]
    pub website: String,
    /// Jam layanan, e.g. "Senin–Kamis 07.30–15.30 WIB; Jumat 07.30–14.00 WIB".
    #[serde(default)]
    pub hours: String,
    /// The hours a term counted in hours (`term: { hours: 2 }` in a form
    /// file) runs within on working days, e.g. "08.00-15.30"
    /// ([`crate::core::calendar::OfficeHours`]). Needed only by such a form.
    pub service_hours: Option<String>,
    /// A link to the office on a map.
    #[serde(default)]
    pub map_url: String,
    /// Whether a form sent online replaces the written letter (surat) the
    /// service standard asks for: the office decides, the form pages and
    /// the service pages with a form say it. Unset, they say nothing and
    /// `loket check` warns.
    pub online_form_replaces_letter: Option<bool>,
    /// Whether the deadlines stop while a case waits for its citizen (a
    /// step with `asks_citizen`): they move by the working days waited
    /// when the citizen answers. Default: the clock runs on.
    #[serde(default)]
    pub pause_while_waiting: bool,
    /// The head of the office (Kepala Dinas), who signs "Mengetahui" on the
    /// monthly report.
    pub head: Option<Signatory>,
    /// The regional emblem on the documents' letterhead: an image under
    /// `static/` (PNG, JPEG or SVG), e.g. `gambar/lambang-jombang.png`.
    #[serde(default)]
    pub emblem: String,
    /// The city documents are dated in ("Jombang, 10 Desember 2026").
    #[serde(default)]
    pub city: String,
    /// The emblem as a `data:` URL, read with site.yaml ("" without one;
    /// [`super::emblem`]).
    #[serde(skip)]
    pub emblem_url: std::sync::Arc<str>,
}

/// Someone who signs a document: the name, NIP and position printed under
/// the signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    #[serde(default)]
    pub nip: String,
    pub position: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub phone: String,
    pub whatsapp: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocialLink {
    pub name: String,
    pub url: String,
}

/// Optional publications an Indonesian office is expected to have.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Publish {
    /// The maklumat pelayanan, word for word.
    pub maklumat: String,
    /// The survei kepuasan masyarakat (SKM) form.
    pub survey_url: String,
    /// The Pejabat Pengelola Pengaduan (name or position).
    pub complaints_officer: String,
    /// Where the complaint box (kotak pengaduan) stands.
    pub complaint_box: String,
    /// The page of the office's own complaint form (e.g.
    /// `/pengaduan-layanan/formulir/`): `/cek-status/` names it, with
    /// SP4N-LAPOR! and Ombudsman RI, to a citizen whose case is late.
    pub complaint_form: String,
}

/// How strict the checks are.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// `warn` publishes a site with broken links (reported as warnings), for
    /// an office moving old pages in; `error` (default) refuses it.
    #[serde(default)]
    pub broken_links: Level,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Error,
    Warn,
}

/// The privacy notice as written in `site.yaml`; what is left out takes
/// loket's default and is flagged by `loket check`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct PrivacyGiven {
    purpose_permohonan: Option<String>,
    purpose_pengaduan: Option<String>,
    /// The purpose of each other form, by its id.
    purposes: BTreeMap<String, String>,
    legal_basis: Option<String>,
    ktp_reason: Option<String>,
    ktp_tip: Option<String>,
    retention: Option<Retention>,
    rights: Option<String>,
    contact: Option<String>,
    /// A promise about sharing, shown only when the office makes it.
    shared_with: String,
}

/// How long submissions are kept, in numbers `loket purge` enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Days the KTP copy and other uploads are kept after a case is closed.
    pub attachments_days: u32,
    /// Years a record keeps its personal data after a case is closed.
    pub records_years: u32,
}

/// The personal data notice at the point of collection (UU 27/2022).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Privacy {
    /// `purpose_permohonan` (the shipped form `permohonan`'s purpose).
    pub purpose_permohonan: String,
    /// `purpose_pengaduan` (the shipped form `pengaduan-layanan`'s).
    pub purpose_pengaduan: String,
    /// The purposes of other forms, by form id (`privacy.purposes`).
    pub purposes: BTreeMap<String, String>,
    pub legal_basis: String,
    pub ktp_reason: String,
    pub ktp_tip: String,
    pub retention: Retention,
    pub rights: String,
    pub contact: String,
    pub shared_with: String,
}

impl Privacy {
    /// What the data of form `id` (which calls a submission `noun`) is used
    /// for: `privacy.purposes.ID`; else the two keys site.yaml had before
    /// forms were files, read as the purposes of the forms they were
    /// written for; else a sentence of loket's.
    pub fn purpose_for(&self, id: &str, noun: &str) -> String {
        if let Some(purpose) = self.purposes.get(id).filter(|p| !p.is_empty()) {
            return purpose.clone();
        }
        match id {
            "permohonan" => self.purpose_permohonan.clone(),
            "pengaduan-layanan" => self.purpose_pengaduan.clone(),
            _ => format!("Data yang Anda kirim digunakan untuk menangani {noun} Anda."),
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            attachments_days: 90,
            records_years: 2,
        }
    }
}

impl PrivacyGiven {
    /// The notice with loket's default for every value left out, and the
    /// keys that took one.
    fn resolve(&self, office: &Office, contact: &Contact) -> (Privacy, Vec<&'static str>) {
        let mut defaulted = Vec::new();
        let mut take = |given: &Option<String>, key: &'static str, default: String| match given {
            Some(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => {
                defaulted.push(key);
                default
            }
        };
        let privacy = Privacy {
            // `purposes.permohonan` is the same text by its new key.
            purpose_permohonan: take(
                &self
                    .purpose_permohonan
                    .clone()
                    .or_else(|| self.purposes.get("permohonan").cloned()),
                "purpose_permohonan",
                "Data dan dokumen yang Anda kirim digunakan untuk menangani permohonan ini: memeriksa kelengkapan berkas, menghubungi Anda, memberikan konsultasi atau menjadwalkan pertemuan dengan pihak yang Anda adukan, dan menyusun dokumentasi dan laporan hasil.".into(),
            ),
            purpose_pengaduan: take(
                &self
                    .purpose_pengaduan
                    .clone()
                    .or_else(|| self.purposes.get("pengaduan-layanan").cloned()),
                "purpose_pengaduan",
                "Data yang Anda kirim digunakan untuk menanggapi dan menindaklanjuti keluhan, saran, atau masukan Anda.".into(),
            ),
            purposes: self
                .purposes
                .iter()
                .map(|(k, v)| (k.clone(), v.trim().to_string()))
                .collect(),
            legal_basis: take(
                &self.legal_basis,
                "legal_basis",
                "Pelaksanaan tugas pelayanan publik (Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, Pasal 20 ayat (2) huruf e).".into(),
            ),
            ktp_reason: take(
                &self.ktp_reason,
                "ktp_reason",
                "Fotokopi KTP adalah persyaratan dalam standar pelayanan layanan ini.".into(),
            ),
            ktp_tip: take(
                &self.ktp_tip,
                "ktp_tip",
                format!(
                    "Agar salinan KTP Anda tidak disalahgunakan, tulis pada foto atau fotokopinya: \"Hanya untuk {}\" dan tanggal hari ini.",
                    office.name
                ),
            ),
            retention: self.retention.unwrap_or_default(),
            rights: take(
                &self.rights,
                "rights",
                "Anda berhak mengetahui, mengakses, dan meminta salinan data pribadi Anda, memperbaiki data yang keliru, serta meminta penghapusannya sepanjang diperbolehkan peraturan perundang-undangan.".into(),
            ),
            contact: take(
                &self.contact,
                "contact",
                format!(
                    "Sampaikan permintaan Anda kepada {} melalui surel {} atau telepon {}.",
                    office.name, contact.email, contact.phone
                ),
            ),
            shared_with: self.shared_with.trim().to_string(),
        };
        if self.retention.is_none() {
            defaulted.push("retention");
        }
        (privacy, defaulted)
    }
}

fn default_language() -> String {
    "id".to_string()
}

impl SiteConfig {
    /// Loads and validates `site.yaml` from the site root.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let shown = Path::new(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "berkas konfigurasi situs tidak ada".to_string(),
                std::io::ErrorKind::InvalidData => {
                    "berkas bukan UTF-8 yang sah; simpan sebagai UTF-8".to_string()
                }
                _ => format!("berkas konfigurasi situs tidak dapat dibaca: {e}"),
            };
            Diagnostic::error(&path, None, reason)
        })?;
        let mut config: SiteConfig =
            yaml::from_str(&text).map_err(|e| Diagnostic::error(shown, e.line, e.message))?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        if !(config.base_url.starts_with("http://") || config.base_url.starts_with("https://")) {
            return Err(Diagnostic::error(
                shown,
                yaml::line_of_key(&text, "base_url"),
                format!(
                    "base_url harus alamat http(s) lengkap, misalnya https://layanan.contoh.go.id; tertulis {:?}",
                    config.base_url
                ),
            ));
        }
        if config.base_url_is_local() {
            config.warnings.push(Diagnostic::warning(
                shown,
                yaml::line_of_key(&text, "base_url"),
                format!(
                    "base_url {} adalah alamat komputer ini: peta situs (sitemap.xml) dan tautan kanonik akan menunjuk ke sana; isi dengan alamat situs yang sebenarnya sebelum diterbitkan",
                    config.base_url
                ),
            ));
        }
        if config.office.online_form_replaces_letter.is_none() {
            config.warnings.push(Diagnostic::warning(
                shown,
                yaml::line_of_key(&text, "office"),
                "office.online_form_replaces_letter belum diisi: tetapkan apakah formulir daring menggantikan surat tertulis yang diminta standar pelayanan (true atau false); sampai diisi, halaman formulir tidak menyebutkannya".to_string(),
            ));
        }
        match &config.office.head {
            None => config.warnings.push(Diagnostic::warning(
                shown,
                yaml::line_of_key(&text, "office"),
                "office.head belum diisi: laporan bulanan tidak punya penanda tangan \"Mengetahui, Kepala Dinas\"; isi nama, NIP, dan jabatan Kepala Dinas (office.head: { name, nip, position })".to_string(),
            )),
            Some(head) => {
                let nip: String = head.nip.chars().filter(|c| !c.is_whitespace()).collect();
                let good_nip = nip.len() == 18 && nip.bytes().all(|b| b.is_ascii_digit());
                let bad_nip = !nip.is_empty() && !good_nip;
                if head.name.trim().is_empty() || head.position.trim().is_empty() || bad_nip {
                    return Err(Diagnostic::error(
                        shown,
                        yaml::line_of_key(&text, "head"),
                        format!(
                            "office.head perlu nama (name) dan jabatan (position), dan NIP (nip) bila diisi harus 18 angka; tertulis NIP {:?}",
                            head.nip
                        ),
                    ));
                }
            }
        }
        config.office.city = config.office.city.trim().to_string();
        config.office.emblem_url = super::emblem::load(root, &config.office.emblem, shown, &text)?;
        let (privacy, defaulted) = config
            .privacy_given
            .resolve(&config.office, &config.contact);
        config.privacy = privacy;
        if !defaulted.is_empty() {
            let keys = defaulted
                .iter()
                .map(|k| format!("privacy.{k}"))
                .collect::<Vec<_>>()
                .join(", ");
            let line = yaml::line_of_key(&text, "privacy");
            // A published site cannot run on loket's default notice: the
            // office's data-protection officer sets the periods (UU 27/2022).
            if !config.base_url_is_local() {
                return Err(Diagnostic::error(
                    shown,
                    line.or_else(|| yaml::line_of_key(&text, "base_url")),
                    format!(
                        "base_url {} adalah alamat publik, tetapi pemberitahuan data pribadi belum lengkap: {keys} belum diisi; tetapkan nilai kantor di site.yaml (privacy) bersama pejabat yang menangani pelindungan data pribadi (UU 27/2022)",
                        config.base_url
                    ),
                ));
            }
            config.warnings.push(Diagnostic::warning(
                shown,
                line,
                format!(
                    "pemberitahuan data pribadi memakai nilai bawaan loket untuk: {keys}; tetapkan nilai kantor di site.yaml (privacy) bersama pejabat yang menangani pelindungan data pribadi"
                ),
            ));
        }
        Ok(config)
    }

    /// Whether `base_url` names this machine (`localhost`, 127.x, `[::1]`):
    /// a site not yet published, whose links reach no citizen.
    pub fn base_url_is_local(&self) -> bool {
        is_loopback(&self.base_url)
    }

    /// The view templates get as `site`, with ready-made link targets.
    pub fn to_template_value(&self) -> SiteView<'_> {
        SiteView {
            title: &self.title,
            description: &self.description,
            base_url: &self.base_url,
            language: &self.language,
            office: OfficeView {
                name: &self.office.name,
                parent: &self.office.parent,
                address: &self.office.address,
                phone: &self.office.phone,
                phone_href: tel_href(&self.office.phone),
                website: &self.office.website,
                website_url: website_url(&self.office.website),
                hours: &self.office.hours,
                map_url: &self.office.map_url,
                online_form_replaces_letter: self.office.online_form_replaces_letter,
            },
            contact: ContactView {
                phone: &self.contact.phone,
                phone_href: tel_href(&self.contact.phone),
                whatsapp: &self.contact.whatsapp,
                whatsapp_href: whatsapp_href(&self.contact.whatsapp),
                email: &self.contact.email,
                email_href: format!("mailto:{}", self.contact.email),
            },
            social: &self.social,
            privacy: &self.privacy,
            publish: &self.publish,
        }
    }
}

/// Whether a base URL names this machine (`localhost`, 127.x, `[::1]`).
fn is_loopback(base_url: &str) -> bool {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("");
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.split(']').next())
        .unwrap_or_else(|| host.split(':').next().unwrap_or(host));
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    pub office: OfficeView<'a>,
    contact: ContactView<'a>,
    social: &'a [SocialLink],
    privacy: &'a Privacy,
    publish: &'a Publish,
}

#[derive(Serialize)]
pub struct OfficeView<'a> {
    name: &'a str,
    parent: &'a str,
    address: &'a str,
    phone: &'a str,
    phone_href: String,
    website: &'a str,
    website_url: String,
    hours: &'a str,
    map_url: &'a str,
    online_form_replaces_letter: Option<bool>,
}

#[derive(Serialize)]
struct ContactView<'a> {
    phone: &'a str,
    phone_href: String,
    whatsapp: &'a str,
    whatsapp_href: String,
    email: &'a str,
    email_href: String,
}

/// Indonesian national digits ("0321…", "62321…", "+62 321…") without the
/// leading 0 or country code: "321861494".
fn national_digits(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits.strip_prefix("62") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_string()
    } else {
        digits
    }
}

/// `tel:` link in international form, which works from any phone.
pub fn tel_href(number: &str) -> String {
    format!("tel:+62{}", national_digits(number))
}

/// WhatsApp click-to-chat link (`https://wa.me/62…`).
pub fn whatsapp_href(number: &str) -> String {
    format!("https://wa.me/62{}", national_digits(number))
}

fn website_url(website: &str) -> String {
    if website.is_empty() || website.contains("://") {
        website.to_string()
    } else {
        format!("https://{website}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_links_use_the_country_code() {
        assert_eq!(tel_href("(0321) 8491519"), "tel:+623218491519");
        assert_eq!(whatsapp_href("082139751135"), "https://wa.me/6282139751135");
        assert_eq!(
            whatsapp_href("+62 821-3975-1135"),
            "https://wa.me/6282139751135"
        );
        assert_eq!(
            website_url("www.jombangkab.go.id/opd/dinkopum"),
            "https://www.jombangkab.go.id/opd/dinkopum"
        );
    }

    #[test]
    fn loopback_base_urls() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:8080/x",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in ["https://layanan.jombangkab.go.id", "http://10.0.0.5"] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
