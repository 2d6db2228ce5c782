"""Pattern and package URL matching used by scopes, rules and waivers."""

from __future__ import annotations

import pytest
from ecr_guard.policy.matching import compile_path_glob, compile_patterns
from ecr_guard.policy.purl import PackageUrl


@pytest.mark.parametrize(
    ("patterns", "text", "matches"),
    [
        (["team/*"], "team/app", True),
        (["team/*"], "team/app/worker", True),
        (["*/nginx"], "docker-hub/library/nginx", True),
        (["team/app"], "team/app-v2", False),
        (["*"], "", True),
        (["?*"], "", False),
        (["v[0-9]*"], "v1.2", True),
        (["v[0-9]*"], "vx", False),
        (["a", "b"], "b", True),
    ],
)
def test_shell_patterns(patterns: list[str], text: str, matches: bool):
    assert compile_patterns(patterns)(text) is matches


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*-lock.json", "package-lock.json", True),
        ("**/*-lock.json", "web/app/package-lock.json", True),
        ("app/*.jar", "app/lib/a.jar", False),
        ("app/**/*.jar", "app/lib/a.jar", True),
        ("app/**", "app/lib/a.jar", True),
        ("bar/package.json", "bar/package.json", True),
        ("bar/package.json", "/bar/package.json", True),
        ("/bar/package.json", "bar/package.json", True),
        ("bar/package.json", "foo/bar/package.json", False),
        ("file?.txt", "file1.txt", True),
        ("file?.txt", "file/.txt", False),
        ("[!a]*.py", "b.py", True),
        ("[!a]*.py", "a.py", False),
        ("a+b(c).txt", "a+b(c).txt", True),
    ],
)
def test_path_globs_follow_trivy(pattern: str, path: str, matches: bool):
    assert compile_path_glob(pattern)(path) is matches


def test_purl_is_parsed_into_its_parts():
    purl = PackageUrl.parse("pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386#sub/dir")

    assert purl == PackageUrl(
        type="deb",
        namespace="debian",
        name="curl",
        version="7.50.3-1",
        qualifiers=(("arch", "i386"), ("distro", "jessie")),
        subpath="sub/dir",
    )


def test_npm_scope_is_decoded():
    purl = PackageUrl.parse("pkg:npm/%40angular/core@16.0.0")

    assert (purl.namespace, purl.name, purl.version) == ("@angular", "core", "16.0.0")


@pytest.mark.parametrize(
    ("constraint", "target", "covers"),
    [
        ("pkg:deb/debian/libssl1.1", "pkg:deb/debian/libssl1.1@1.1.1n-0?arch=amd64", True),
        ("pkg:deb/debian/libssl1.1@1.1.1n-0", "pkg:deb/debian/libssl1.1@1.1.1n-0", True),
        ("pkg:deb/debian/libssl1.1@1.1.1w-0", "pkg:deb/debian/libssl1.1@1.1.1n-0", False),
        ("pkg:deb/debian/libssl1.1?arch=arm64", "pkg:deb/debian/libssl1.1@1?arch=amd64", False),
        ("pkg:deb/ubuntu/libssl1.1", "pkg:deb/debian/libssl1.1@1", False),
        (
            "pkg:golang/github.com/aquasecurity/bar",
            "pkg:golang/github.com/aquasecurity/bar@1",
            True,
        ),
        ("PKG:Deb/debian/curl", "pkg:deb/debian/curl@1", True),
    ],
)
def test_purl_constraint_matching(constraint: str, target: str, covers: bool):
    assert PackageUrl.parse(constraint).covers(PackageUrl.parse(target)) is covers


@pytest.mark.parametrize("text", ["openssl", "pkg:", "pkg:deb", "https://example.com/x"])
def test_malformed_purls_are_refused(text: str):
    with pytest.raises(ValueError, match="is not a package URL"):
        PackageUrl.parse(text)
