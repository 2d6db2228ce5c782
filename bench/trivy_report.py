"""Deterministic Trivy reports of any size, shaped like the real ones.

The shape follows Trivy 0.69/0.70 `--format json` output for a container image (SchemaVersion 2):
an `os-pkgs` result for the distribution and `lang-pkgs` results for Python, Node.js and Java,
plus one `secret` result. The proportions come from real published reports: about two
occurrences per vulnerability id (one CVE in several packages of the same source package),
severities mostly MEDIUM and LOW with a few percent CRITICAL, half of the occurrences fixed,
descriptions of a few hundred to a thousand characters, a dozen references, CVSS maps from two
or three sources, vendor severities from several distributions.

Everything comes from one seeded random generator, so the same size and seed give the same
bytes on every machine and Python version (the SHA-256 is recorded with the results).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_SEED = 20_261_203
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
REPOSITORY = "team/app"
TAG = "1.4.2"

# Shares seen in published reports; the rest of each table is what is left of 1.0.
_SEVERITIES = (("CRITICAL", 0.025), ("HIGH", 0.15), ("MEDIUM", 0.45), ("LOW", 0.37))
_STATUSES = (
    ("fixed", 0.48),
    ("affected", 0.44),
    ("fix_deferred", 0.03),
    ("will_not_fix", 0.02),
    ("not_affected", 0.01),
)
_OCCURRENCES = ((1, 0.45), (2, 0.30), (3, 0.15), (4, 0.10))
_LANGUAGE_SHARE = 0.15
_SECRETS_PER_VULNERABILITY = 1 / 10_000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_LANGUAGES = (
    ("Python", "python-pkg", "pypi", "ghsa", "usr/local/lib/python3.12/site-packages"),
    ("Node.js", "node-pkg", "npm", "ghsa", "app/node_modules"),
    ("Java", "jar", "maven", "ghsa", "app/lib"),
)
_OS_PACKAGES = _words(
    "apt bash binutils bsdutils coreutils curl dpkg e2fsprogs gcc-12 git gnupg2 gzip krb5 "
    "libc6 libcap2 libcurl4 libexpat1 libgcrypt20 libgnutls30 libidn2 libldap-2.5-0 liblzma5 "
    "libncursesw6 libpam0g libpcre2-8-0 libpng16-16 libsqlite3-0 libssh2-1 libssl3 "
    "libsystemd0 libtasn1-6 libtiff6 libxml2 libxslt1.1 libzstd1 login mount ncurses-base "
    "openssh-client openssl passwd perl-base python3.11 sqlite3 systemd tar util-linux wget "
    "zlib1g"
)
_LANGUAGE_PACKAGES = _words(
    "aiohttp certifi cryptography django flask jinja2 lxml pillow pyyaml requests setuptools "
    "urllib3 werkzeug axios express jsonwebtoken lodash minimist semver tar ws "
    "jackson-databind log4j-core netty-codec snakeyaml spring-core spring-web "
    "tomcat-embed-core"
)
_VENDORS = ("nvd", "redhat", "ubuntu", "amazon", "oracle-oval", "photon", "azure", "alma", "rocky")
_DATA_SOURCES = {
    "debian": ("Debian Security Tracker", "https://salsa.debian.org/security-tracker-team/"),
    "ghsa": ("GitHub Security Advisory", "https://github.com/advisories"),
}
_WORDS = _words(
    "a an the in of to and or when with via which allows remote local attacker attackers "
    "crafted malicious request response header packet buffer heap stack overflow underflow "
    "out-of-bounds read write use-after-free double free null pointer dereference integer "
    "denial service memory leak consumption arbitrary code execution information disclosure "
    "privilege escalation bypass authentication certificate validation signature parsing "
    "function file library module component versions before prior through affected vulnerable "
    "issue flaw vulnerability fixed patch upstream user input data handling improper missing "
    "check length size limit loop recursion timing side channel cryptographic key session "
    "cookie path traversal injection command shell sql cross-site scripting server client "
    "connection protocol decoder encoder archive image font document configuration option"
)
_CWES = ("CWE-20", "CWE-79", "CWE-119", "CWE-125", "CWE-190", "CWE-400", "CWE-416", "CWE-787")
_REFERENCE_SITES = (
    "https://access.redhat.com/security/cve/{id}",
    "https://nvd.nist.gov/vuln/detail/{id}",
    "https://security-tracker.debian.org/tracker/{id}",
    "https://ubuntu.com/security/{id}",
    "https://www.cve.org/CVERecord?id={id}",
    "https://github.com/advisories?query={id}",
    "https://bugzilla.redhat.com/show_bug.cgi?id={number}",
    "https://lists.debian.org/debian-lts-announce/{year}/{month:02d}/msg{number:05d}.html",
    "https://security.netapp.com/advisory/ntap-{year}{month:02d}{number:04d}/",
    "https://github.com/upstream/project/commit/{hash}",
)
_CREATED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class GeneratedReport:
    """A report's bytes and what it holds."""

    data: bytes
    vulnerabilities: int
    secrets: int
    seed: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def generate_report(vulnerabilities: int, *, seed: int = DEFAULT_SEED) -> GeneratedReport:
    """A Trivy JSON report with exactly `vulnerabilities` vulnerability occurrences."""
    rng = random.Random(f"{seed}:{vulnerabilities}")  # noqa: S311 - test data, not secrets
    writer = _Writer(rng)
    os_share = vulnerabilities - round(vulnerabilities * _LANGUAGE_SHARE)
    results: list[dict[str, Any]] = [
        {
            "Target": f"{REGISTRY}/{REPOSITORY}:{TAG} (debian 12.8)",
            "Class": "os-pkgs",
            "Type": "debian",
            "Vulnerabilities": list(writer.occurrences(os_share, language=None)),
        }
    ]
    remaining = vulnerabilities - os_share
    for position, language in enumerate(_LANGUAGES):
        count = remaining // (len(_LANGUAGES) - position)
        remaining -= count
        if count:
            results.append(
                {
                    "Target": language[0],
                    "Class": "lang-pkgs",
                    "Type": language[1],
                    "Vulnerabilities": list(writer.occurrences(count, language=language)),
                }
            )
    secrets = max(1, round(vulnerabilities * _SECRETS_PER_VULNERABILITY))
    results.append(
        {
            "Target": "/app/config/settings.env",
            "Class": "secret",
            "Secrets": [writer.secret(number) for number in range(secrets)],
        }
    )
    document = _envelope(rng) | {"Results": results}
    data = json.dumps(document, indent=2, ensure_ascii=False).encode()
    return GeneratedReport(data=data, vulnerabilities=vulnerabilities, secrets=secrets, seed=seed)


def _envelope(rng: random.Random) -> dict[str, Any]:
    digest = "sha256:" + _hex(rng, 64)
    layers = ["sha256:" + _hex(rng, 64) for _ in range(8)]
    return {
        "SchemaVersion": 2,
        "Trivy": {"Version": "0.70.0"},
        "ReportID": "-".join(
            (_hex(rng, 8), _hex(rng, 4), "7" + _hex(rng, 3), "a" + _hex(rng, 3), _hex(rng, 12))
        ),
        "CreatedAt": _CREATED_AT.isoformat(),
        "ArtifactID": "sha256:" + _hex(rng, 64),
        "ArtifactName": f"{REGISTRY}/{REPOSITORY}:{TAG}",
        "ArtifactType": "container_image",
        "Metadata": {
            "Size": 412_876_800,
            "OS": {"Family": "debian", "Name": "12.8"},
            "ImageID": "sha256:" + _hex(rng, 64),
            "DiffIDs": layers,
            "RepoTags": [f"{REGISTRY}/{REPOSITORY}:{TAG}"],
            "RepoDigests": [f"{REGISTRY}/{REPOSITORY}@{digest}"],
            "Reference": f"{REGISTRY}/{REPOSITORY}:{TAG}",
            "ImageConfig": {
                "architecture": "amd64",
                "created": (_CREATED_AT - timedelta(minutes=7)).isoformat(),
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": layers},
                "config": {
                    "Cmd": ["python3", "-m", "app"],
                    "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"],
                    "WorkingDir": "/app",
                },
            },
        },
    }


class _Writer:
    """Vulnerability occurrences and secrets, all drawn from one generator."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._ids: set[str] = set()
        self._layers = ["sha256:" + _hex(rng, 64) for _ in range(8)]

    def occurrences(
        self, count: int, *, language: tuple[str, str, str, str, str] | None
    ) -> Iterator[dict[str, Any]]:
        """`count` occurrences: advisories, each in one to four packages."""
        produced = 0
        while produced < count:
            advisory = self._advisory(language)
            packages = min(_pick(self._rng, _OCCURRENCES), count - produced)
            for _ in range(packages):
                yield self._occurrence(advisory, language)
            produced += packages

    def _advisory(self, language: tuple[str, str, str, str, str] | None) -> dict[str, Any]:
        rng = self._rng
        identifier = self._new_id(ghsa=language is not None and rng.random() < 0.2)
        severity = _pick(rng, _SEVERITIES, rest="UNKNOWN")
        published = datetime(2014, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(6_000_000))
        source = "ghsa" if language else rng.choice(("debian", "nvd", None))
        return {
            "id": identifier,
            "severity": severity,
            "source": source,
            "title": _sentence(rng, rng.randint(8, 14)),
            "description": _paragraph(rng),
            "cwes": sorted(rng.sample(_CWES, rng.randint(1, 2))),
            "vendors": _vendor_severities(rng, severity),
            "cvss": _cvss(rng, severity, ghsa=language is not None),
            "references": _references(rng, identifier, published),
            "published": published,
        }

    def _occurrence(
        self, advisory: dict[str, Any], language: tuple[str, str, str, str, str] | None
    ) -> dict[str, Any]:
        rng = self._rng
        if language:
            name = rng.choice(_LANGUAGE_PACKAGES)
            version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
            purl = f"pkg:{language[2]}/{name}@{version}"
        else:
            name = rng.choice(_OS_PACKAGES)
            upstream = f"{rng.randint(1, 9)}.{rng.randint(0, 40)}"
            version = f"{upstream}-{rng.randint(1, 9)}+deb12u{rng.randint(1, 9)}"
            purl = f"pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12.8"
        status = _pick(rng, _STATUSES, rest="end_of_life")
        identifier = advisory["id"]
        occurrence: dict[str, Any] = {
            "VulnerabilityID": identifier,
            "PkgID": f"{name}@{version}",
            "PkgName": name,
        }
        if language:
            occurrence["PkgPath"] = f"{language[4]}/{name}-{version}/METADATA"
        occurrence |= {
            "PkgIdentifier": {"PURL": purl, "UID": _hex(rng, 16)},
            "InstalledVersion": version,
        }
        if status == "fixed":
            fixed = _bumped(rng, version)
            if rng.random() < 0.15:
                fixed = f"{fixed}, {_bumped(rng, fixed)}"
            occurrence["FixedVersion"] = fixed
        occurrence |= {"Status": status, "Layer": {"DiffID": rng.choice(self._layers)}}
        if advisory["source"]:
            occurrence["SeveritySource"] = advisory["source"]
        source_id = "ghsa" if language else "debian"
        source_name, source_url = _DATA_SOURCES[source_id]
        occurrence |= {
            "PrimaryURL": f"https://avd.aquasec.com/nvd/{identifier.lower()}",
            "DataSource": {"ID": source_id, "Name": source_name, "URL": source_url},
            "Fingerprint": "sha256:" + _hex(rng, 64),
            "Title": f"{name}: {advisory['title']}",
            "Description": advisory["description"],
            "Severity": advisory["severity"],
            "CweIDs": advisory["cwes"],
            "VendorSeverity": advisory["vendors"],
            "CVSS": advisory["cvss"],
            "References": advisory["references"],
            "PublishedDate": _timestamp(advisory["published"]),
            "LastModifiedDate": _timestamp(
                advisory["published"] + timedelta(days=rng.randint(1, 900))
            ),
        }
        return occurrence

    def secret(self, number: int) -> dict[str, Any]:
        rng = self._rng
        line = rng.randint(3, 80)
        return {
            "RuleID": "aws-access-key-id" if number % 2 == 0 else "github-pat",
            "Category": "AWS" if number % 2 == 0 else "GitHub",
            "Severity": "CRITICAL" if number % 2 == 0 else "HIGH",
            "Title": "AWS Access Key ID" if number % 2 == 0 else "GitHub Personal Access Token",
            "StartLine": line,
            "EndLine": line,
            "Code": {
                "Lines": [
                    {
                        "Number": line,
                        "Content": "AWS_ACCESS_KEY_ID=********************",
                        "IsCause": True,
                        "Highlighted": "AWS_ACCESS_KEY_ID=********************",
                        "FirstCause": True,
                        "LastCause": True,
                    }
                ]
            },
            "Match": "AWS_ACCESS_KEY_ID=********************",
            "Layer": {"DiffID": rng.choice(self._layers)},
        }

    def _new_id(self, *, ghsa: bool) -> str:
        rng = self._rng
        while True:
            if ghsa:
                parts = ("".join(rng.choices("23456789cfghjmpqrvwx", k=4)) for _ in range(3))
                identifier = "GHSA-" + "-".join(parts)
            else:
                identifier = f"CVE-{rng.randint(2014, 2026)}-{rng.randint(1000, 59999)}"
            if identifier not in self._ids:
                self._ids.add(identifier)
                return identifier


def _pick(rng: random.Random, shares: tuple[tuple[Any, float], ...], rest: Any = None) -> Any:
    draw = rng.random()
    for value, share in shares:
        if draw < share:
            return value
        draw -= share
    return rest if rest is not None else shares[-1][0]


def _hex(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(_WORDS, k=words))
    return text[0].upper() + text[1:]


def _paragraph(rng: random.Random) -> str:
    # Real descriptions: quartiles near 270, 500 and 1,200 characters.
    target = int(rng.lognormvariate(6.2, 0.9))
    sentences: list[str] = []
    length = 0
    while length < target:
        sentence = _sentence(rng, rng.randint(10, 24)) + "."
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)


def _vendor_severities(rng: random.Random, severity: str) -> dict[str, int]:
    level = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1}.get(severity, 0)
    vendors = rng.sample(_VENDORS, rng.randint(3, 8))
    return {name: max(0, min(4, level + rng.choice((-1, 0, 0, 0, 1)))) for name in sorted(vendors)}


def _cvss(rng: random.Random, severity: str, *, ghsa: bool) -> dict[str, dict[str, Any]]:
    base = {"CRITICAL": 9.0, "HIGH": 7.0, "MEDIUM": 4.0, "LOW": 0.1}.get(severity, 0.0)
    top = {"CRITICAL": 10.0, "HIGH": 8.9, "MEDIUM": 6.9, "LOW": 3.9}.get(severity, 10.0)
    sources = ["nvd", "redhat"] + (["ghsa"] if ghsa else [])
    scores: dict[str, dict[str, Any]] = {}
    for source in sources[: rng.randint(1, len(sources))]:
        score = round(rng.uniform(base, top), 1)
        entry: dict[str, Any] = {
            "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "V3Score": score,
        }
        if source == "nvd" and rng.random() < 0.4:
            entry = {"V2Vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "V2Score": round(score * 0.9, 1)}
            entry |= {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": score}
        scores[source] = entry
    return scores


def _references(rng: random.Random, identifier: str, published: datetime) -> list[str]:
    count = max(1, int(rng.lognormvariate(2.6, 0.7)))
    references = []
    for _ in range(count):
        template = rng.choice(_REFERENCE_SITES)
        references.append(
            template.format(
                id=identifier,
                number=rng.randint(1, 99_999),
                year=published.year,
                month=published.month,
                hash=_hex(rng, 40),
            )
        )
    return sorted(set(references))


def _bumped(rng: random.Random, version: str) -> str:
    return f"{version}.{rng.randint(1, 9)}"


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10_000:02d}Z"
