#!/usr/bin/env python3
"""Generate the compiled-in DUIS service matrix for the `duis` crate.

Reads, from the reference corpus (never copied into the repository):

* ``uiss/service-reference-variants.json`` -- the 129 service reference
  variants of the DCC User Interface Services Schedule (name, critical, on
  demand, future-dated response pattern, DCC scheduled, non-device, roles);
* ``duis-schema/duis-schema-v5.4.xsd`` -- the ``Request`` Body choice (which
  body element names exist), the ``ServiceReference`` /
  ``ServiceReferenceVariant`` enumerations, the command-variant comments next
  to each variant, and the ``ResponseCode`` enumeration;
* ``duis-templates/*.XML`` -- which body element each variant uses.

and writes two Rust files into ``crates/duis/src``:

* ``matrix_gen.rs``   -- ``static VARIANTS: [ServiceVariant; N]`` plus lookups;
* ``response_codes_gen.rs`` -- the ``ResponseCode`` list.

Both are committed. ``--check`` regenerates in memory and exits non-zero if
the committed files differ (the crate's tests run this when the corpus and a
Python interpreter are present).

Corrections applied to the JSON, each reported on stderr:

* names: runs of whitespace (including embedded newlines) collapse to one space;
* service reference: when the JSON's "Service Reference" is not a leading part
  of the variant (``6.2`` for ``6.20.1``: a number-formatting artefact), the
  first two components of the variant are used; the result must be in the
  XSD ``ServiceReference`` enumeration;
* command variants: derived from the flags (critical device request: 4, 5, 6,
  7; non-critical device request: 1, 2, 3; non-device: 8), narrowed to the
  XSD comment's list when that list is a strict subset (8.1.1: 4, 5; 8.5: 1).
  Where the comment contradicts the flags (7.12 to 7.15, whose comments are
  shifted by two lines in the XSD) the flags win; the templates agree.
* roles: 7.16 Limit APC Level lists no eligible role. Its one GBCS use case,
  ECS47e, is the Load Controller's only (remote party role 8, which the XSD's
  ``RemotePartyRole`` names as ``LoadController``), and the templates and RTDS
  vectors are sent by the load controller ``90-B3-D5-1F-30-01-00-08``: the
  load controller role ``LC`` is made eligible. No other service lists it.

Standard library only.
"""

import argparse
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
SR = "{http://www.dccinterface.co.uk/ServiceUserGateway}"

ROLE_NAMES = {
    "IS": "ImportSupplier",
    "ES": "ExportSupplier",
    "GS": "GasSupplier",
    "ED": "ElectricityDistributor",
    "GT": "GasTransporter",
    "OU": "OtherUser",
    "RSA": "RegisteredSupplierAgent",
    "LC": "LoadController",
}
ROLE_ORDER = ["IS", "ES", "GS", "ED", "GT", "OU", "RSA", "LC"]

# Eligible roles the JSON leaves out (see the module documentation).
ROLE_CORRECTIONS = {"7.16": ["LC"]}

FUTURE_DATED = {
    "No": "None",
    "DSP": "Dsp",
    "Device": "Device",
    "DSP & Device": "DspAndDevice",
}

CV_NAMES = {
    1: "NonCritical",
    2: "NonCriticalLocalDelivery",
    3: "NonCriticalWanAndLocalDelivery",
    4: "CriticalTransform",
    5: "SignedPreCommand",
    6: "SignedPreCommandLocalDelivery",
    7: "SignedPreCommandWanAndLocalDelivery",
    8: "NonDevice",
}

SIGNED_PRE_COMMAND = "SignedPreCommand"


class GenError(Exception):
    pass


def note(msg):
    print(f"gen_service_matrix: {msg}", file=sys.stderr)


def yes_no(value, field, srv):
    if value == "Yes":
        return True
    if value == "No":
        return False
    raise GenError(f"{srv}: {field} is {value!r}, expected Yes or No")


def srv_key(srv):
    return [int(p) for p in srv.split(".")]


def rust_str(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def simple_type_enumeration(schema, name):
    for st in schema.iter(XS + "simpleType"):
        if st.get("name") == name:
            return [e.get("value") for e in st.iter(XS + "enumeration")]
    raise GenError(f"simpleType {name} not found in the XSD")


def request_body_choice(schema):
    for ct in schema.findall(XS + "complexType"):
        if ct.get("name") != "Request":
            continue
        for el in ct.iter(XS + "element"):
            if el.get("name") == "Body":
                choice = el.find(f"{XS}complexType/{XS}choice")
                if choice is None:
                    raise GenError("Request/Body has no choice")
                return [e.get("name") for e in choice.findall(XS + "element")]
    raise GenError("complexType Request with a Body element not found in the XSD")


def srv_comment_cvs(xsd_text):
    """The `<!-- CV = 1, 2, 3 -->` comment following each variant enumeration."""
    start = xsd_text.find('<xs:simpleType name="ServiceReferenceVariant">')
    end = xsd_text.find("</xs:simpleType>", start)
    if start < 0 or end < 0:
        raise GenError("ServiceReferenceVariant simpleType not found")
    seg = xsd_text[start:end]
    pairs = re.findall(
        r'<xs:enumeration value="([0-9.]+)"/>\s*<!--\s*CV\s*=\s*([0-9, ]+?)\s*-->', seg
    )
    return {srv: [int(x) for x in cvs.split(",")] for srv, cvs in pairs}


def template_bodies(templates_dir):
    """SRV -> set of body element local names used by the templates."""
    out = {}
    for fname in sorted(os.listdir(templates_dir)):
        if not fname.upper().endswith(".XML"):
            continue
        root = ET.parse(os.path.join(templates_dir, fname)).getroot()
        header = root.find(SR + "Header")
        body = root.find(SR + "Body")
        if header is None or body is None:
            raise GenError(f"{fname}: no Header or Body")
        srv_el = header.find(SR + "ServiceReferenceVariant")
        if srv_el is None or srv_el.text is None:
            raise GenError(f"{fname}: no ServiceReferenceVariant")
        children = list(body)
        if len(children) != 1 or not children[0].tag.startswith(SR):
            raise GenError(f"{fname}: Body must hold exactly one sr: element")
        local = children[0].tag[len(SR):]
        if local == SIGNED_PRE_COMMAND:
            continue
        out.setdefault(srv_el.text.strip(), set()).add(local)
    return out


def build(corpus):
    with open(os.path.join(corpus, "uiss", "service-reference-variants.json"), encoding="utf-8") as f:
        rows = json.load(f)
    xsd_path = os.path.join(corpus, "duis-schema", "duis-schema-v5.4.xsd")
    with open(xsd_path, encoding="utf-8") as f:
        xsd_text = f.read()
    schema = ET.fromstring(xsd_text.encode("utf-8"))

    xsd_srs = set(simple_type_enumeration(schema, "ServiceReference"))
    xsd_srvs = simple_type_enumeration(schema, "ServiceReferenceVariant")
    response_codes = simple_type_enumeration(schema, "ResponseCode")
    body_choice = request_body_choice(schema)
    comment_cvs = srv_comment_cvs(xsd_text)
    bodies = template_bodies(os.path.join(corpus, "duis-templates"))

    if SIGNED_PRE_COMMAND not in body_choice:
        raise GenError("SignedPreCommand missing from the Request Body choice")
    if len(set(response_codes)) != len(response_codes):
        raise GenError("duplicate ResponseCode values in the XSD")
    for code in response_codes:
        if not re.fullmatch(r"[A-Z][0-9]+", code):
            raise GenError(f"ResponseCode {code!r} is not a letter followed by digits")

    variants = []
    seen = set()
    used_bodies = {}
    for row in rows:
        srv = row["Service Reference Variant"].strip()
        if srv in seen:
            raise GenError(f"duplicate variant {srv}")
        seen.add(srv)
        if srv not in xsd_srvs:
            raise GenError(f"{srv} is not in the XSD ServiceReferenceVariant enumeration")
        name = " ".join(row["Service Request Name"].split())
        if name != row["Service Request Name"]:
            note(f"{srv}: name whitespace collapsed")
        sr = row["Service Reference"].strip()
        if srv.split(".")[: len(sr.split("."))] != sr.split("."):
            fixed = ".".join(srv.split(".")[:2])
            note(f"{srv}: service reference {sr!r} corrected to {fixed!r}")
            sr = fixed
        if sr not in xsd_srs:
            raise GenError(f"{srv}: service reference {sr} not in the XSD enumeration")
        critical = yes_no(row["Critical"], "Critical", srv)
        on_demand = yes_no(row["On Demand"], "On Demand", srv)
        scheduled = yes_no(row["DCC Scheduled"], "DCC Scheduled", srv)
        non_device = yes_no(row["Non-Device Request"], "Non-Device Request", srv)
        fd = row["Future Dated Response Pattern"]
        if fd not in FUTURE_DATED:
            raise GenError(f"{srv}: unknown future-dated pattern {fd!r}")
        roles = row["Eligible User Roles"]
        if srv in ROLE_CORRECTIONS and not roles:
            roles = ROLE_CORRECTIONS[srv]
            print(f"{srv}: no eligible role listed; {roles} (the GBCS use case's originator)", file=sys.stderr)
        for r in roles:
            if r not in ROLE_NAMES:
                raise GenError(f"{srv}: unknown role {r!r}")
        if len(set(roles)) != len(roles):
            raise GenError(f"{srv}: duplicate roles")
        roles = sorted(roles, key=ROLE_ORDER.index)

        if non_device:
            cvs = [8]
        elif critical:
            cvs = [4, 5, 6, 7]
        else:
            cvs = [1, 2, 3]
        comment = comment_cvs.get(srv)
        if comment is None:
            raise GenError(f"{srv}: no CV comment in the XSD")
        if comment != cvs:
            if set(comment) < set(cvs):
                note(f"{srv}: command variants narrowed to the XSD's {comment}")
                cvs = comment
            else:
                note(f"{srv}: XSD comment says CV {comment}, flags say {cvs}; flags kept")

        body = sorted(bodies.get(srv, set()))
        if len(body) != 1:
            raise GenError(f"{srv}: templates use body elements {body}, expected exactly one")
        for b in body:
            if b not in body_choice:
                raise GenError(f"{srv}: body element {b} not in the XSD Request Body choice")
            if b in used_bodies:
                raise GenError(f"body element {b} used by {used_bodies[b]} and {srv}")
            used_bodies[b] = srv

        variants.append(
            dict(
                name=name,
                sr=sr,
                srv=srv,
                critical=critical,
                on_demand=on_demand,
                fd=FUTURE_DATED[fd],
                scheduled=scheduled,
                non_device=non_device,
                roles=roles,
                body=body,
                cvs=cvs,
            )
        )

    missing = set(xsd_srvs) - seen
    if missing:
        raise GenError(f"XSD variants missing from the JSON: {sorted(missing)}")
    unused = [b for b in body_choice if b != SIGNED_PRE_COMMAND and b not in used_bodies]
    if unused:
        raise GenError(f"XSD body elements used by no variant: {unused}")
    for srv in bodies:
        if srv not in seen:
            raise GenError(f"templates use unknown variant {srv}")

    variants.sort(key=lambda v: srv_key(v["srv"]))
    return variants, response_codes


HEADER = """\
// @generated by tools/gen_service_matrix.py -- do not edit by hand.
// Sources (reference corpus, not in this repository): {sources}.
"""


def render_matrix(variants):
    out = [
        HEADER.format(
            sources="uiss/service-reference-variants.json, duis-schema/duis-schema-v5.4.xsd, "
            "duis-templates/*.XML"
        ),
        "",
    ]
    out += render_srv_enum(variants)
    out += [
        "/// Every service reference variant of the DUIS 5.4 service matrix, ordered by variant",
        "/// (index `i` is `Srv::ALL[i]`).",
        f"static VARIANTS: [ServiceVariant; {len(variants)}] = [",
    ]
    for v in variants:
        roles = ", ".join(f"UserRole::{ROLE_NAMES[r]}" for r in v["roles"])
        body = ", ".join(rust_str(b) for b in v["body"])
        cvs = ", ".join(f"CommandVariant::{CV_NAMES[c]}" for c in v["cvs"])
        out += [
            "    ServiceVariant {",
            f"        id: Srv::{srv_ident(v['srv'])},",
            f"        name: {rust_str(v['name'])},",
            f"        service_reference: {rust_str(v['sr'])},",
            f"        variant: {rust_str(v['srv'])},",
            f"        critical: {str(v['critical']).lower()},",
            f"        on_demand: {str(v['on_demand']).lower()},",
            f"        future_dated: FutureDatedPattern::{v['fd']},",
            f"        dcc_scheduled: {str(v['scheduled']).lower()},",
            f"        non_device: {str(v['non_device']).lower()},",
            f"        roles: &[{roles}],",
            f"        body_elements: &[{body}],",
            f"        command_variants: &[{cvs}],",
            "    },",
        ]
    out += ["];", ""]
    out += [
        "/// Index into [`VARIANTS`] of a service reference variant such as `\"4.1.1\"`.",
        "fn variant_index(srv: &str) -> Option<usize> {",
        "    match srv {",
    ]
    for i, v in enumerate(variants):
        out.append(f"        {rust_str(v['srv'])} => Some({i}),")
    out += ["        _ => None,", "    }", "}", ""]
    out += [
        "/// Index into [`VARIANTS`] of the variant whose request body is this element.",
        "fn body_element_index(local_name: &str) -> Option<usize> {",
        "    match local_name {",
    ]
    pairs = sorted((b, i) for i, v in enumerate(variants) for b in v["body"])
    for b, i in pairs:
        out.append(f"        {rust_str(b)} => Some({i}),")
    out += ["        _ => None,", "    }", "}", ""]
    return "\n".join(out)


def srv_ident(srv):
    """The Rust enum variant name of a service reference variant: `4.1.1` -> `V4_1_1`."""
    return "V" + srv.replace(".", "_")


def render_srv_enum(variants):
    n = len(variants)
    out = [
        "/// A service reference variant of the DUIS service matrix, typed: `Srv::V4_1_1` is",
        "/// `\"4.1.1\"`. Its properties (roles, critical, on demand, non-device, schedulable) are",
        "/// [`Srv::info`], from the matrix and nowhere else.",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]",
        "pub enum Srv {",
    ]
    for v in variants:
        out.append(f"    /// {v['srv']} {v['name']}")
        out.append(f"    {srv_ident(v['srv'])},")
    out += ["}", "", "impl Srv {", "    /// Every variant, in matrix order.", f"    pub const ALL: [Srv; {n}] = ["]
    for v in variants:
        out.append(f"        Srv::{srv_ident(v['srv'])},")
    out += ["    ];", "", "    /// The variant as DUIS writes it (`\"4.1.1\"`).",
            "    pub const fn as_str(self) -> &'static str {", "        match self {"]
    for v in variants:
        out.append(f"            Srv::{srv_ident(v['srv'])} => {rust_str(v['srv'])},")
    out += ["        }", "    }", "}", ""]
    return out


def render_codes(codes):
    out = [
        HEADER.format(sources="duis-schema/duis-schema-v5.4.xsd (simpleType ResponseCode)"),
        "",
        "define_response_codes! {",
    ]
    for c in codes:
        out.append(f"    {c},")
    out += ["}", ""]
    return "\n".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    default_corpus = os.environ.get("OPENDCC_CORPUS") or os.path.join(
        os.path.dirname(repo), "shared", "corpus"
    )
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=default_corpus)
    ap.add_argument("--out-dir", default=os.path.join(repo, "crates", "duis", "src"))
    ap.add_argument("--check", action="store_true", help="fail if the committed files differ")
    args = ap.parse_args()

    try:
        variants, codes = build(args.corpus)
    except (GenError, OSError, ET.ParseError, KeyError, ValueError) as e:
        print(f"gen_service_matrix: error: {e}", file=sys.stderr)
        return 2

    outputs = {
        "matrix_gen.rs": render_matrix(variants),
        "response_codes_gen.rs": render_codes(codes),
    }
    stale = []
    for fname, text in outputs.items():
        path = os.path.join(args.out_dir, fname)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(path)
            except OSError:
                stale.append(path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if stale:
        print(
            "gen_service_matrix: out of date (run tools/gen_service_matrix.py): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    note(f"{len(variants)} variants, {len(codes)} response codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
