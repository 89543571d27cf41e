//! The site config (`site.yaml` at the site root): who the office is and how
//! to reach it. Templates read it as `site`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::yaml;

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
    #[serde(default)]
    pub privacy: Privacy,
}

/// What the forms' privacy notice says about keeping personal data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// How long submissions are kept.
    pub retention: String,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            retention: "Data disimpan selama diperlukan untuk penanganan dan pelaporan, sesuai ketentuan kearsipan yang berlaku.".to_string(),
        }
    }
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
                std::io::ErrorKind::NotFound => "site config not found".to_string(),
                std::io::ErrorKind::InvalidData => "file is not valid UTF-8".to_string(),
                _ => format!("cannot read site config: {e}"),
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
                    "base_url must be an absolute http(s) URL, got {:?}",
                    config.base_url
                ),
            ));
        }
        Ok(config)
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
        }
    }
}

#[derive(Serialize)]
pub struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    office: OfficeView<'a>,
    contact: ContactView<'a>,
    social: &'a [SocialLink],
    privacy: &'a Privacy,
}

#[derive(Serialize)]
struct OfficeView<'a> {
    name: &'a str,
    parent: &'a str,
    address: &'a str,
    phone: &'a str,
    phone_href: String,
    website: &'a str,
    website_url: String,
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
}
