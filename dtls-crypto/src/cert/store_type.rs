//! The seed's certificate store types and where a store's content comes from.

use std::path::Path;

/// The seed's certificate store types (`StoreType`), with the seed's numbers.
///
/// Supported here: [`PfxFile`](Self::PfxFile), [`PfxBlob`](Self::PfxBlob),
/// [`PemKeyFile`](Self::PemKeyFile), [`PemKeyBlob`](Self::PemKeyBlob),
/// [`PublicKeyFile`](Self::PublicKeyFile), [`PublicKeyBlob`](Self::PublicKeyBlob)
/// and [`Auto`](Self::Auto). The others yield
/// [`Error::UnsupportedStore`](crate::Error::UnsupportedStore).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum CertStoreType {
    /// `cstUser` (0): a Windows certificate store of the current user.
    User = 0,
    /// `cstMachine` (1): a Windows machine certificate store.
    Machine = 1,
    /// `cstPFXFile` (2): a PKCS#12 (PFX) file.
    PfxFile = 2,
    /// `cstPFXBlob` (3): PKCS#12 (PFX) data, binary or Base64.
    PfxBlob = 3,
    /// `cstJKSFile` (4): a Java Key Store file.
    JksFile = 4,
    /// `cstJKSBlob` (5): Java Key Store data.
    JksBlob = 5,
    /// `cstPEMKeyFile` (6): a PEM file with a private key and certificate(s).
    PemKeyFile = 6,
    /// `cstPEMKeyBlob` (7): PEM data with a private key and certificate(s).
    PemKeyBlob = 7,
    /// `cstPublicKeyFile` (8): a file with a PEM or DER certificate.
    PublicKeyFile = 8,
    /// `cstPublicKeyBlob` (9): a PEM, DER or Base64 certificate.
    PublicKeyBlob = 9,
    /// `cstSSHPublicKeyBlob` (10): an SSH-style public key.
    SshPublicKeyBlob = 10,
    /// `cstP7BFile` (11): a PKCS#7 file of certificates.
    P7bFile = 11,
    /// `cstP7BBlob` (12): PKCS#7 data of certificates.
    P7bBlob = 12,
    /// `cstSSHPublicKeyFile` (13): a file with an SSH-style public key.
    SshPublicKeyFile = 13,
    /// `cstPPKFile` (14): a PuTTY private key file.
    PpkFile = 14,
    /// `cstPPKBlob` (15): PuTTY private key data.
    PpkBlob = 15,
    /// `cstXMLFile` (16): a file with a certificate in XML format.
    XmlFile = 16,
    /// `cstXMLBlob` (17): a certificate in XML format.
    XmlBlob = 17,
    /// `cstJWKFile` (18): a file with a JSON Web Key.
    JwkFile = 18,
    /// `cstJWKBlob` (19): a JSON Web Key.
    JwkBlob = 19,
    /// `cstBCFKSFile` (21): a Bouncy Castle FIPS key store file.
    BcfksFile = 21,
    /// `cstBCFKSBlob` (22): Bouncy Castle FIPS key store data.
    BcfksBlob = 22,
    /// `cstPKCS11` (23): a key on a PKCS#11 security token.
    Pkcs11 = 23,
    /// `cstAuto` (99): detect PKCS#12, PEM or DER from the data.
    Auto = 99,
}

impl CertStoreType {
    /// Every store type, in the seed's order.
    pub const ALL: [CertStoreType; 24] = [
        Self::User,
        Self::Machine,
        Self::PfxFile,
        Self::PfxBlob,
        Self::JksFile,
        Self::JksBlob,
        Self::PemKeyFile,
        Self::PemKeyBlob,
        Self::PublicKeyFile,
        Self::PublicKeyBlob,
        Self::SshPublicKeyBlob,
        Self::P7bFile,
        Self::P7bBlob,
        Self::SshPublicKeyFile,
        Self::PpkFile,
        Self::PpkBlob,
        Self::XmlFile,
        Self::XmlBlob,
        Self::JwkFile,
        Self::JwkBlob,
        Self::BcfksFile,
        Self::BcfksBlob,
        Self::Pkcs11,
        Self::Auto,
    ];

    /// The seed's numeric value.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The store type with the seed's numeric value `code`, if any.
    pub fn from_code(code: i32) -> Option<CertStoreType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The seed's name (`cstPFXFile`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::User => "cstUser",
            Self::Machine => "cstMachine",
            Self::PfxFile => "cstPFXFile",
            Self::PfxBlob => "cstPFXBlob",
            Self::JksFile => "cstJKSFile",
            Self::JksBlob => "cstJKSBlob",
            Self::PemKeyFile => "cstPEMKeyFile",
            Self::PemKeyBlob => "cstPEMKeyBlob",
            Self::PublicKeyFile => "cstPublicKeyFile",
            Self::PublicKeyBlob => "cstPublicKeyBlob",
            Self::SshPublicKeyBlob => "cstSSHPublicKeyBlob",
            Self::P7bFile => "cstP7BFile",
            Self::P7bBlob => "cstP7BBlob",
            Self::SshPublicKeyFile => "cstSSHPublicKeyFile",
            Self::PpkFile => "cstPPKFile",
            Self::PpkBlob => "cstPPKBlob",
            Self::XmlFile => "cstXMLFile",
            Self::XmlBlob => "cstXMLBlob",
            Self::JwkFile => "cstJWKFile",
            Self::JwkBlob => "cstJWKBlob",
            Self::BcfksFile => "cstBCFKSFile",
            Self::BcfksBlob => "cstBCFKSBlob",
            Self::Pkcs11 => "cstPKCS11",
            Self::Auto => "cstAuto",
        }
    }

    /// Whether this project can read this store type.
    pub fn is_supported(self) -> bool {
        self.unsupported_reason().is_none()
    }

    pub(super) fn unsupported_reason(self) -> Option<&'static str> {
        match self {
            Self::PfxFile
            | Self::PfxBlob
            | Self::PemKeyFile
            | Self::PemKeyBlob
            | Self::PublicKeyFile
            | Self::PublicKeyBlob
            | Self::Auto => None,
            Self::User | Self::Machine => Some(
                "Windows system certificate stores are not available; export the certificate to a PFX or PEM file",
            ),
            Self::JksFile | Self::JksBlob => Some(
                "Java Key Stores are not supported; convert with `keytool -importkeystore -deststoretype PKCS12`",
            ),
            Self::BcfksFile | Self::BcfksBlob => {
                Some("Bouncy Castle FIPS key stores are not supported; convert to PKCS#12")
            }
            Self::SshPublicKeyBlob | Self::SshPublicKeyFile => {
                Some("SSH public keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::P7bFile | Self::P7bBlob => Some(
                "PKCS#7 certificate bundles are not supported; use PEM (`openssl pkcs7 -print_certs`)",
            ),
            Self::PpkFile | Self::PpkBlob => {
                Some("PuTTY private keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::XmlFile | Self::XmlBlob => Some("XML certificate stores are not supported"),
            Self::JwkFile | Self::JwkBlob => {
                Some("JSON Web Keys carry no X.509 certificate and cannot be used for DTLS")
            }
            Self::Pkcs11 => Some("PKCS#11 security tokens are not supported"),
        }
    }
}

/// Where a store's content comes from: a file, or the bytes themselves
/// (the seed's `Store` as a file name, or `StoreB`).
#[derive(Debug, Clone, Copy)]
pub enum StoreSource<'a> {
    /// Read the store from this file.
    Path(&'a Path),
    /// The store's content (binary, PEM text or Base64 text).
    Bytes(&'a [u8]),
}
