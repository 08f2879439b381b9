#!/usr/bin/env python3
"""Generate crates/duis-schema/src/generated.rs from the DUIS XSD files.

Python 3.11, standard library only.

    python3 tools/gen_duis_schema.py [--schema-dir DIR] [--out FILE]

The default schema directory is ../shared/corpus/duis-schema relative to the
repository root (the `OPENDCC_CORPUS` environment variable overrides the
corpus location).  The generator starts from duis-schema-v5.4.xsd, follows
its xs:import elements (relative schemaLocation) and writes a Rust table of
the schema components the validator in crates/duis-schema needs: global and
local element declarations, complex types (content model particles,
complexContent / simpleContent derivation, attribute uses, wildcards) and
simple types (restriction of a base type with facets).

An imported schema document that is not present (the DUIS schema imports
"MMC Schema V5.4.xsd", which the corpus does not carry) is not an error: the
type definitions that would come from it are written to the table as
*unavailable*, and the validator rejects any instance element that needs
one of them.

Schema constructs this generator does not support (xs:list, xs:union,
substitution groups, identity constraints, xs:redefine, element
default/fixed on complex content, ...) make it fail loudly rather than
produce a table that validates something else.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

XS = "http://www.w3.org/2001/XMLSchema"
ROOT_SCHEMA = "duis-schema-v5.4.xsd"

# XSD built-in types the Rust side implements, mapped to `Builtin` variants.
BUILTINS = {
    "anyType": "AnyType",
    "anySimpleType": "AnySimpleType",
    "string": "String",
    "normalizedString": "NormalizedString",
    "token": "Token",
    "language": "Language",
    "Name": "Name",
    "NCName": "NcName",
    "NMTOKEN": "NmToken",
    "ID": "Id",
    "IDREF": "IdRef",
    "boolean": "Boolean",
    "decimal": "Decimal",
    "integer": "Integer",
    "nonPositiveInteger": "NonPositiveInteger",
    "negativeInteger": "NegativeInteger",
    "long": "Long",
    "int": "Int",
    "short": "Short",
    "byte": "Byte",
    "nonNegativeInteger": "NonNegativeInteger",
    "unsignedLong": "UnsignedLong",
    "unsignedInt": "UnsignedInt",
    "unsignedShort": "UnsignedShort",
    "unsignedByte": "UnsignedByte",
    "positiveInteger": "PositiveInteger",
    "float": "Float",
    "double": "Double",
    "duration": "Duration",
    "dateTime": "DateTime",
    "time": "Time",
    "date": "Date",
    "gYearMonth": "GYearMonth",
    "gYear": "GYear",
    "gMonthDay": "GMonthDay",
    "gDay": "GDay",
    "gMonth": "GMonth",
    "hexBinary": "HexBinary",
    "base64Binary": "Base64Binary",
    "anyURI": "AnyUri",
}

FACETS = {
    "length": "Length",
    "minLength": "MinLength",
    "maxLength": "MaxLength",
    "pattern": "Pattern",
    "enumeration": "Enumeration",
    "minInclusive": "MinInclusive",
    "maxInclusive": "MaxInclusive",
    "minExclusive": "MinExclusive",
    "maxExclusive": "MaxExclusive",
    "totalDigits": "TotalDigits",
    "fractionDigits": "FractionDigits",
    "whiteSpace": "WhiteSpace",
}

# Prefixes used only to make comments in the generated file readable.
KNOWN_PREFIXES = {
    "": "",
    "http://www.dccinterface.co.uk/ServiceUserGateway": "sr",
    "http://www.dccinterface.co.uk/ResponseAndAlert": "ra",
    "http://www.w3.org/2000/09/xmldsig#": "ds",
    XS: "xs",
}


class SchemaError(Exception):
    """The schema uses something this generator cannot express faithfully."""


# --------------------------------------------------------------------------
# A namespace-aware view of a schema document.


@dataclass
class Node:
    ns: str
    local: str
    attrib: dict[str, str]
    nsmap: dict[str, str]
    doc: "SchemaDoc"
    children: list["Node"] = field(default_factory=list)

    def is_xs(self, local: str) -> bool:
        return self.ns == XS and self.local == local

    def xs_children(self) -> list["Node"]:
        out = []
        for c in self.children:
            if c.ns != XS:
                raise SchemaError(f"{self.doc.path.name}: non-schema element {{{c.ns}}}{c.local} in <{self.local}>")
            if c.local != "annotation":
                out.append(c)
        return out

    def qname(self, value: str) -> tuple[str, str]:
        value = value.strip()
        if ":" in value:
            prefix, local = value.split(":", 1)
        else:
            prefix, local = "", value
        if prefix not in self.nsmap:
            if prefix == "":
                return ("", local)
            raise SchemaError(f"{self.doc.path.name}: undeclared prefix in QName {value!r}")
        return (self.nsmap[prefix], local)

    def where(self) -> str:
        name = self.attrib.get("name") or self.attrib.get("ref") or ""
        return f"{self.doc.path.name}: <xs:{self.local} {name}>"


def parse_tree(path: Path, doc: "SchemaDoc") -> Node:
    stack: list[Node] = []
    pending: dict[str, str] = {}
    root: Node | None = None
    for event, item in ET.iterparse(path, events=("start-ns", "start", "end")):
        if event == "start-ns":
            prefix, uri = item
            pending[prefix] = uri
        elif event == "start":
            parent_map = stack[-1].nsmap if stack else {"xml": "http://www.w3.org/XML/1998/namespace"}
            nsmap = dict(parent_map)
            nsmap.update(pending)
            pending = {}
            tag = item.tag
            if tag.startswith("{"):
                ns, local = tag[1:].split("}", 1)
            else:
                ns, local = "", tag
            attrib = {}
            for k, v in item.attrib.items():
                if k.startswith("{"):
                    continue  # foreign attributes carry no schema meaning here
                attrib[k] = v
            node = Node(ns, local, attrib, nsmap, doc)
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        else:
            stack.pop()
    if root is None:
        raise SchemaError(f"{path}: empty document")
    return root


@dataclass
class SchemaDoc:
    path: Path
    root: Node | None = None
    tns: str = ""
    element_qualified: bool = False
    attribute_qualified: bool = False


# --------------------------------------------------------------------------
# The output model.


def occurs(node: Node) -> tuple[int, int | None]:
    lo = int(node.attrib.get("minOccurs", "1"))
    hi_raw = node.attrib.get("maxOccurs", "1")
    hi = None if hi_raw == "unbounded" else int(hi_raw)
    if lo < 0 or (hi is not None and hi < lo):
        raise SchemaError(f"{node.where()}: bad occurrence range {lo}..{hi_raw}")
    return lo, hi


@dataclass
class Particle:
    lo: int
    hi: int | None
    kind: str  # "element", "sequence", "choice", "all", "any"
    element: int = -1
    children: list["Particle"] = field(default_factory=list)
    wildcard: tuple | None = None


@dataclass
class Attr:
    ns: int
    name: str
    ty: str  # Rust TypeRef expression
    use: str  # Optional / Required / Prohibited
    fixed: str | None
    comment: str


@dataclass
class ComplexDef:
    name: tuple[str, str] | None
    abstract: bool = False
    mixed: bool = False
    derivation: str = "None"
    content: str = "Empty"
    particle: Particle | None = None
    simple: str | None = None
    attributes: list[Attr] = field(default_factory=list)
    wildcard: tuple | None = None


@dataclass
class SimpleDef:
    name: tuple[str, str] | None
    base: str
    facets: list[tuple[str, object]] = field(default_factory=list)


@dataclass
class ElementDef:
    ns: int
    name: str
    ty: str
    nillable: bool
    abstract: bool
    fixed: str | None


class Generator:
    def __init__(self, schema_dir: Path):
        self.schema_dir = schema_dir
        self.docs: list[SchemaDoc] = []
        self.loaded: dict[str, SchemaDoc] = {}
        self.unavailable_ns: list[tuple[str, str]] = []  # (namespace, schemaLocation)
        self.namespaces: list[str] = [""]
        # global components: (ns, local) -> Node
        self.g_elements: dict[tuple[str, str], Node] = {}
        self.g_complex: dict[tuple[str, str], Node] = {}
        self.g_simple: dict[tuple[str, str], Node] = {}
        self.g_groups: dict[tuple[str, str], Node] = {}
        self.g_attr_groups: dict[tuple[str, str], Node] = {}
        self.g_attributes: dict[tuple[str, str], Node] = {}
        # output tables
        self.elements: list[ElementDef] = []
        self.element_index: dict[tuple[str, str], int] = {}
        self.complex: list[ComplexDef | None] = []
        self.complex_index: dict[tuple[str, str], int] = {}
        self.simple: list[SimpleDef | None] = []
        self.simple_index: dict[tuple[str, str], int] = {}
        self.unavailable: list[tuple[str, str]] = []
        self.unavailable_index: dict[tuple[str, str], int] = {}
        self.simple_content_memo: dict[int, str] = {}
        self.in_progress: set[int] = set()

    # ---------------------------------------------------------------- loading
    def load(self, name: str) -> None:
        path = self.schema_dir / name
        key = str(path.resolve())
        if key in self.loaded:
            return
        doc = SchemaDoc(path)
        self.loaded[key] = doc
        doc.root = parse_tree(path, doc)
        root = doc.root
        if not root.is_xs("schema"):
            raise SchemaError(f"{path}: root is not xs:schema")
        doc.tns = root.attrib.get("targetNamespace", "")
        doc.element_qualified = root.attrib.get("elementFormDefault", "unqualified") == "qualified"
        doc.attribute_qualified = root.attrib.get("attributeFormDefault", "unqualified") == "qualified"
        self.docs.append(doc)
        for child in root.xs_children():
            kind = child.local
            if kind == "import":
                loc = child.attrib.get("schemaLocation")
                ns = child.attrib.get("namespace", "")
                if loc is None:
                    raise SchemaError(f"{path.name}: xs:import of {ns!r} without schemaLocation")
                if (self.schema_dir / loc).is_file():
                    self.load(loc)
                else:
                    self.unavailable_ns.append((ns, loc))
            elif kind == "include":
                raise SchemaError(f"{path.name}: xs:include is not supported")
            elif kind == "redefine":
                raise SchemaError(f"{path.name}: xs:redefine is not supported")
            elif kind in ("element", "complexType", "simpleType", "group", "attributeGroup", "attribute"):
                name = child.attrib.get("name")
                if name is None:
                    raise SchemaError(f"{child.where()}: global component without a name")
                table = {
                    "element": self.g_elements,
                    "complexType": self.g_complex,
                    "simpleType": self.g_simple,
                    "group": self.g_groups,
                    "attributeGroup": self.g_attr_groups,
                    "attribute": self.g_attributes,
                }[kind]
                key2 = (doc.tns, name)
                if key2 in table:
                    raise SchemaError(f"{child.where()}: duplicate global {kind}")
                table[key2] = child
            elif kind == "notation":
                continue
            else:
                raise SchemaError(f"{path.name}: unsupported top-level <xs:{kind}>")

    # ------------------------------------------------------------- utilities
    def ns_index(self, ns: str) -> int:
        if ns not in self.namespaces:
            self.namespaces.append(ns)
        return self.namespaces.index(ns)

    def is_unavailable_ns(self, ns: str) -> bool:
        return any(u == ns for u, _ in self.unavailable_ns)

    def type_ref(self, qn: tuple[str, str], where: Node) -> str:
        ns, local = qn
        if ns == XS:
            if local not in BUILTINS:
                raise SchemaError(f"{where.where()}: unsupported built-in type xs:{local}")
            return f"TypeRef::Builtin(Builtin::{BUILTINS[local]})"
        if qn in self.complex_index:
            return f"TypeRef::Complex({self.complex_index[qn]})"
        if qn in self.simple_index:
            return f"TypeRef::Simple({self.simple_index[qn]})"
        if self.is_unavailable_ns(ns):
            if qn not in self.unavailable_index:
                self.unavailable_index[qn] = len(self.unavailable)
                self.unavailable.append(qn)
                self.ns_index(ns)
            return f"TypeRef::Unavailable({self.unavailable_index[qn]})"
        raise SchemaError(f"{where.where()}: type {{{ns}}}{local} is not defined")

    def pretty(self, qn: tuple[str, str]) -> str:
        ns, local = qn
        prefix = KNOWN_PREFIXES.get(ns)
        if prefix is None:
            return f"{{{ns}}}{local}"
        return f"{prefix}:{local}" if prefix else local

    # -------------------------------------------------------------- building
    def build(self) -> None:
        # Allocate indices for named types first so that references resolve
        # regardless of document order, then build every definition.
        for doc in self.docs:
            for child in doc.root.xs_children():
                if child.local == "complexType":
                    qn = (doc.tns, child.attrib["name"])
                    self.complex_index[qn] = len(self.complex)
                    self.complex.append(None)
                elif child.local == "simpleType":
                    qn = (doc.tns, child.attrib["name"])
                    self.simple_index[qn] = len(self.simple)
                    self.simple.append(None)
            self.ns_index(doc.tns)
        for doc in self.docs:
            for child in doc.root.xs_children():
                if child.local == "element":
                    qn = (doc.tns, child.attrib["name"])
                    self.element_index[qn] = len(self.elements)
                    self.elements.append(None)  # type: ignore[arg-type]
        for doc in self.docs:
            for child in doc.root.xs_children():
                if child.local == "complexType":
                    idx = self.complex_index[(doc.tns, child.attrib["name"])]
                    if self.complex[idx] is None:
                        self.build_complex(child, idx)
                elif child.local == "simpleType":
                    idx = self.simple_index[(doc.tns, child.attrib["name"])]
                    self.simple[idx] = self.build_simple(child, (doc.tns, child.attrib["name"]))
                elif child.local == "element":
                    idx = self.element_index[(doc.tns, child.attrib["name"])]
                    self.elements[idx] = self.build_element_decl(child, doc.tns)
        for i, c in enumerate(self.complex):
            if c is None:
                raise SchemaError(f"complex type #{i} was never built")
        for i, s in enumerate(self.simple):
            if s is None:
                raise SchemaError(f"simple type #{i} was never built")

    def check_attrs(self, node: Node, allowed: set[str]) -> None:
        for k in node.attrib:
            if k not in allowed:
                raise SchemaError(f"{node.where()}: unsupported attribute {k!r}")

    def build_element_decl(self, node: Node, ns: str) -> ElementDef:
        self.check_attrs(
            node,
            {"name", "type", "minOccurs", "maxOccurs", "nillable", "abstract", "form", "fixed", "default", "id"},
        )
        for child in node.xs_children():
            if child.local in ("key", "keyref", "unique"):
                raise SchemaError(f"{node.where()}: identity constraints are not supported")
        name = node.attrib["name"]
        ty = self.element_type(node)
        fixed = node.attrib.get("fixed")
        return ElementDef(
            ns=self.ns_index(ns),
            name=name,
            ty=ty,
            nillable=node.attrib.get("nillable", "false") == "true",
            abstract=node.attrib.get("abstract", "false") == "true",
            fixed=fixed,
        )

    def element_type(self, node: Node) -> str:
        if "type" in node.attrib:
            return self.type_ref(node.qname(node.attrib["type"]), node)
        for child in node.xs_children():
            if child.local == "complexType":
                idx = len(self.complex)
                self.complex.append(None)
                self.build_complex(child, idx)
                return f"TypeRef::Complex({idx})"
            if child.local == "simpleType":
                idx = len(self.simple)
                self.simple.append(None)
                self.simple[idx] = self.build_simple(child, None)
                return f"TypeRef::Simple({idx})"
        return "TypeRef::Builtin(Builtin::AnyType)"

    def local_element(self, node: Node) -> Particle:
        lo, hi = occurs(node)
        doc = node.doc
        if "ref" in node.attrib:
            self.check_attrs(node, {"ref", "minOccurs", "maxOccurs", "id"})
            qn = node.qname(node.attrib["ref"])
            if qn not in self.element_index:
                raise SchemaError(f"{node.where()}: element {qn} is not declared")
            return Particle(lo, hi, "element", element=self.element_index[qn])
        form = node.attrib.get("form")
        qualified = doc.element_qualified if form is None else form == "qualified"
        ns = doc.tns if qualified else ""
        idx = len(self.elements)
        self.elements.append(None)  # type: ignore[arg-type]
        self.elements[idx] = self.build_element_decl(node, ns)
        if self.elements[idx].abstract:
            raise SchemaError(f"{node.where()}: abstract local element")
        return Particle(lo, hi, "element", element=idx)

    def wildcard(self, node: Node) -> tuple:
        ns_attr = node.attrib.get("namespace", "##any").split()
        process = node.attrib.get("processContents", "strict")
        proc = {"strict": "Strict", "lax": "Lax", "skip": "Skip"}.get(process)
        if proc is None:
            raise SchemaError(f"{node.where()}: bad processContents {process!r}")
        tns = node.doc.tns
        if ns_attr == ["##any"]:
            constraint = "NsConstraint::Any"
        elif ns_attr == ["##other"]:
            constraint = f"NsConstraint::Other({self.ns_index(tns)})"
        else:
            items = []
            for item in ns_attr:
                if item == "##targetNamespace":
                    items.append(self.ns_index(tns))
                elif item == "##local":
                    items.append(0)
                elif item.startswith("##"):
                    raise SchemaError(f"{node.where()}: bad namespace constraint {item!r}")
                else:
                    items.append(self.ns_index(item))
            items = sorted(set(items))
            constraint = "NsConstraint::List(&[" + ", ".join(str(i) for i in items) + "])"
        return (constraint, f"ProcessContents::{proc}")

    def particle(self, node: Node) -> Particle | None:
        kind = node.local
        if kind == "element":
            return self.local_element(node)
        if kind == "any":
            self.check_attrs(node, {"namespace", "processContents", "minOccurs", "maxOccurs", "id"})
            lo, hi = occurs(node)
            return Particle(lo, hi, "any", wildcard=self.wildcard(node))
        if kind == "group":
            self.check_attrs(node, {"ref", "minOccurs", "maxOccurs", "id"})
            lo, hi = occurs(node)
            qn = node.qname(node.attrib["ref"])
            group = self.g_groups.get(qn)
            if group is None:
                raise SchemaError(f"{node.where()}: group {qn} is not defined")
            inner = group.xs_children()
            if len(inner) != 1 or inner[0].local not in ("sequence", "choice", "all"):
                raise SchemaError(f"{group.where()}: a named group must hold one model group")
            p = self.model_group(inner[0], allow_occurs=False)
            p.lo, p.hi = lo, hi
            return p
        if kind in ("sequence", "choice", "all"):
            return self.model_group(node, allow_occurs=True)
        raise SchemaError(f"{node.where()}: unsupported particle <xs:{kind}>")

    def model_group(self, node: Node, allow_occurs: bool) -> Particle:
        if allow_occurs:
            self.check_attrs(node, {"minOccurs", "maxOccurs", "id"})
            lo, hi = occurs(node)
        else:
            self.check_attrs(node, {"id"})
            lo, hi = 1, 1
        kids = []
        for child in node.xs_children():
            p = self.particle(child)
            if p is not None:
                kids.append(p)
        if node.local == "all":
            if hi != 1 or lo > 1:
                raise SchemaError(f"{node.where()}: xs:all must have maxOccurs=1")
            for k in kids:
                if k.kind != "element" or (k.hi is not None and k.hi > 1):
                    raise SchemaError(f"{node.where()}: xs:all may hold only elements with maxOccurs<=1")
        return Particle(lo, hi, node.local, children=kids)

    def attribute_uses(self, nodes: list[Node], owner: Node) -> tuple[list[Attr], tuple | None]:
        attrs: list[Attr] = []
        wildcard = None
        for node in nodes:
            if node.local == "attribute":
                attrs.append(self.attribute_use(node))
            elif node.local == "attributeGroup":
                self.check_attrs(node, {"ref", "id"})
                qn = node.qname(node.attrib["ref"])
                group = self.g_attr_groups.get(qn)
                if group is None:
                    raise SchemaError(f"{node.where()}: attribute group {qn} is not defined")
                inner_attrs, inner_wild = self.attribute_uses(group.xs_children(), group)
                attrs.extend(inner_attrs)
                if inner_wild is not None:
                    if wildcard is not None:
                        raise SchemaError(f"{owner.where()}: more than one attribute wildcard")
                    wildcard = inner_wild
            elif node.local == "anyAttribute":
                self.check_attrs(node, {"namespace", "processContents", "id"})
                if wildcard is not None:
                    raise SchemaError(f"{owner.where()}: more than one attribute wildcard")
                wildcard = self.wildcard(node)
            else:
                raise SchemaError(f"{node.where()}: unexpected <xs:{node.local}> among attributes")
        seen = set()
        for a in attrs:
            if (a.ns, a.name) in seen:
                raise SchemaError(f"{owner.where()}: attribute {a.name} declared twice")
            seen.add((a.ns, a.name))
        return attrs, wildcard

    def attribute_use(self, node: Node) -> Attr:
        self.check_attrs(node, {"name", "ref", "type", "use", "form", "fixed", "default", "id"})
        use = node.attrib.get("use", "optional")
        use_rust = {"optional": "Optional", "required": "Required", "prohibited": "Prohibited"}.get(use)
        if use_rust is None:
            raise SchemaError(f"{node.where()}: bad use {use!r}")
        if "ref" in node.attrib:
            qn = node.qname(node.attrib["ref"])
            decl = self.g_attributes.get(qn)
            if decl is None:
                raise SchemaError(f"{node.where()}: attribute {qn} is not declared")
            ns, name = qn
            ty, comment = self.attribute_type(decl)
            fixed = node.attrib.get("fixed", decl.attrib.get("fixed"))
            return Attr(self.ns_index(ns), name, ty, use_rust, fixed, comment)
        name = node.attrib["name"]
        form = node.attrib.get("form")
        qualified = node.doc.attribute_qualified if form is None else form == "qualified"
        ns = node.doc.tns if qualified else ""
        ty, comment = self.attribute_type(node)
        return Attr(self.ns_index(ns), name, ty, use_rust, node.attrib.get("fixed"), comment)

    def attribute_type(self, node: Node) -> tuple[str, str]:
        if "type" in node.attrib:
            qn = node.qname(node.attrib["type"])
            ty = self.type_ref(qn, node)
            if ty.startswith("TypeRef::Complex"):
                raise SchemaError(f"{node.where()}: attribute of complex type")
            return ty, self.pretty(qn)
        for child in node.xs_children():
            if child.local == "simpleType":
                idx = len(self.simple)
                self.simple.append(None)
                self.simple[idx] = self.build_simple(child, None)
                return f"TypeRef::Simple({idx})", "anonymous"
        return "TypeRef::Builtin(Builtin::AnySimpleType)", "xs:anySimpleType"

    def explicit_particle(self, node: Node | None) -> Particle | None:
        """XSD 1.0 3.4.2: the explicit content, None when it is empty."""
        if node is None:
            return None
        p = self.particle(node)
        if p is None:
            return None
        if p.hi == 0:
            return None
        if p.kind in ("sequence", "all") and not p.children:
            return None
        if p.kind == "choice" and not p.children and p.lo == 0:
            return None
        return p

    def build_complex(self, node: Node, idx: int) -> None:
        self.check_attrs(node, {"name", "abstract", "mixed", "id", "block", "final"})
        if "block" in node.attrib or "final" in node.attrib:
            raise SchemaError(f"{node.where()}: block/final are not supported")
        name = node.attrib.get("name")
        qn = (node.doc.tns, name) if name is not None else None
        d = ComplexDef(name=qn)
        d.abstract = node.attrib.get("abstract", "false") == "true"
        d.mixed = node.attrib.get("mixed", "false") == "true"
        kids = node.xs_children()
        self.complex[idx] = d  # visible early for recursive references
        self.in_progress.add(idx)
        if kids and kids[0].local == "simpleContent":
            sc = kids[0].xs_children()
            if len(sc) != 1 or sc[0].local not in ("extension", "restriction"):
                raise SchemaError(f"{node.where()}: bad simpleContent")
            der = sc[0]
            base_qn = der.qname(der.attrib["base"])
            base_ref = self.type_ref(base_qn, der)
            if der.local == "extension":
                d.derivation = f"Derivation::Extension({base_ref})"
                d.simple = self.simple_value_type(base_ref, der)
                attrs, wild = self.attribute_uses(der.xs_children(), der)
            else:
                if not base_ref.startswith("TypeRef::Complex"):
                    raise SchemaError(f"{der.where()}: simpleContent restriction of a simple type")
                d.derivation = f"Derivation::Restriction({base_ref})"
                inner_base = self.simple_value_type(base_ref, der)
                facets = []
                rest = []
                for c in der.xs_children():
                    if c.local == "simpleType":
                        raise SchemaError(f"{c.where()}: simpleType inside simpleContent restriction")
                    if c.local in FACETS:
                        facets.append(c)
                    else:
                        rest.append(c)
                if facets:
                    sidx = len(self.simple)
                    self.simple.append(None)
                    self.simple[sidx] = SimpleDef(None, inner_base, self.facets(facets))
                    d.simple = f"TypeRef::Simple({sidx})"
                else:
                    d.simple = inner_base
                attrs, wild = self.attribute_uses(rest, der)
            d.content = "Simple"
            d.attributes, d.wildcard = attrs, wild
        elif kids and kids[0].local == "complexContent":
            cc = kids[0]
            self.check_attrs(cc, {"mixed", "id"})
            if "mixed" in cc.attrib:
                d.mixed = cc.attrib["mixed"] == "true"
            inner = cc.xs_children()
            if len(inner) != 1 or inner[0].local not in ("extension", "restriction"):
                raise SchemaError(f"{node.where()}: bad complexContent")
            der = inner[0]
            base_qn = der.qname(der.attrib["base"])
            base_ref = self.type_ref(base_qn, der)
            if not (base_ref.startswith("TypeRef::Complex") or base_ref == "TypeRef::Builtin(Builtin::AnyType)"):
                raise SchemaError(f"{der.where()}: complexContent derivation from a simple type")
            method = "Extension" if der.local == "extension" else "Restriction"
            d.derivation = f"Derivation::{method}({base_ref})"
            rest = der.xs_children()
            model = None
            if rest and rest[0].local in ("sequence", "choice", "all", "group"):
                model = rest[0]
                rest = rest[1:]
            p = self.explicit_particle(model)
            if p is None:
                d.content = "Empty"
            else:
                d.content = "Elements"
                d.particle = p
            d.attributes, d.wildcard = self.attribute_uses(rest, der)
        else:
            d.derivation = "Derivation::Restriction(TypeRef::Builtin(Builtin::AnyType))"
            model = None
            rest = kids
            if rest and rest[0].local in ("sequence", "choice", "all", "group"):
                model = rest[0]
                rest = rest[1:]
            p = self.explicit_particle(model)
            if p is None:
                d.content = "Empty"
            else:
                d.content = "Elements"
                d.particle = p
            d.attributes, d.wildcard = self.attribute_uses(rest, node)
        self.in_progress.discard(idx)

    def simple_value_type(self, base_ref: str, where: Node) -> str:
        """The simple type of the text of an element whose type is base_ref."""
        if base_ref.startswith("TypeRef::Simple") or (
            base_ref.startswith("TypeRef::Builtin") and base_ref != "TypeRef::Builtin(Builtin::AnyType)"
        ):
            return base_ref
        if base_ref.startswith("TypeRef::Complex("):
            idx = int(base_ref[len("TypeRef::Complex(") : -1])
            base = self.complex[idx]
            if base is None or idx in self.in_progress:
                # Named types are built in document order; build the base now.
                if base is None:
                    qn = next(k for k, v in self.complex_index.items() if v == idx)
                    self.build_complex(self.g_complex[qn], idx)
                    base = self.complex[idx]
                else:
                    raise SchemaError(f"{where.where()}: circular simpleContent derivation")
            if base is None or base.content != "Simple" or base.simple is None:
                raise SchemaError(f"{where.where()}: simpleContent base has no simple content")
            return base.simple
        raise SchemaError(f"{where.where()}: simpleContent from {base_ref}")

    def build_simple(self, node: Node, qn: tuple[str, str] | None) -> SimpleDef:
        self.check_attrs(node, {"name", "id", "final"})
        kids = node.xs_children()
        if len(kids) != 1:
            raise SchemaError(f"{node.where()}: simpleType must hold one derivation")
        r = kids[0]
        if r.local != "restriction":
            raise SchemaError(f"{node.where()}: xs:{r.local} is not supported")
        facet_nodes = []
        base = None
        if "base" in r.attrib:
            base = self.type_ref(r.qname(r.attrib["base"]), r)
        for c in r.xs_children():
            if c.local == "simpleType":
                if base is not None:
                    raise SchemaError(f"{r.where()}: both base and anonymous base type")
                idx = len(self.simple)
                self.simple.append(None)
                self.simple[idx] = self.build_simple(c, None)
                base = f"TypeRef::Simple({idx})"
            elif c.local in FACETS:
                facet_nodes.append(c)
            else:
                raise SchemaError(f"{c.where()}: unsupported facet")
        if base is None:
            raise SchemaError(f"{r.where()}: restriction without base")
        if base.startswith("TypeRef::Complex") or base == "TypeRef::Builtin(Builtin::AnyType)":
            raise SchemaError(f"{r.where()}: simple type restricting a complex type")
        return SimpleDef(qn, base, self.facets(facet_nodes))

    def facets(self, nodes: list[Node]) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        patterns: list[str] = []
        enums: list[str] = []
        for f in nodes:
            self.check_attrs(f, {"value", "fixed", "id"})
            value = f.attrib["value"]
            kind = FACETS[f.local]
            if kind == "Pattern":
                patterns.append(value)
            elif kind == "Enumeration":
                enums.append(value)
            elif kind in ("Length", "MinLength", "MaxLength", "TotalDigits", "FractionDigits"):
                n = int(value.strip())
                if n < 0:
                    raise SchemaError(f"{f.where()}: negative facet value")
                out.append((kind, n))
            elif kind == "WhiteSpace":
                ws = {"preserve": "Preserve", "replace": "Replace", "collapse": "Collapse"}.get(value.strip())
                if ws is None:
                    raise SchemaError(f"{f.where()}: bad whiteSpace {value!r}")
                out.append((kind, ws))
            else:
                out.append((kind, value.strip()))
        # Patterns of one derivation step are alternatives (XSD 1.0 4.3.4.3),
        # so are enumeration values; keep each as one facet.
        if patterns:
            out.append(("Pattern", patterns))
        if enums:
            out.append(("Enumeration", enums))
        return out


# --------------------------------------------------------------------------
# Rust output.


def rust_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def max_occurs(hi: int | None) -> str:
    return "MaxOccurs::Unbounded" if hi is None else f"MaxOccurs::Bounded({hi})"


class Writer:
    def __init__(self, gen: Generator, inputs: list[tuple[str, str]]):
        self.g = gen
        self.inputs = inputs
        self.lines: list[str] = []

    def w(self, line: str = "") -> None:
        self.lines.append(line)

    def qname_lit(self, qn: tuple[str, str] | None) -> str:
        if qn is None:
            return "None"
        return f"Some(QName {{ ns: {self.g.namespaces.index(qn[0])}, local: {rust_str(qn[1])} }})"

    def type_comment(self, ty: str) -> str:
        g = self.g
        if ty.startswith("TypeRef::Complex("):
            d = g.complex[int(ty[len("TypeRef::Complex(") : -1])]
            return g.pretty(d.name) if d and d.name else "anonymous"
        if ty.startswith("TypeRef::Simple("):
            d = g.simple[int(ty[len("TypeRef::Simple(") : -1])]
            return g.pretty(d.name) if d and d.name else "anonymous"
        if ty.startswith("TypeRef::Unavailable("):
            return g.pretty(g.unavailable[int(ty[len("TypeRef::Unavailable(") : -1])])
        return ""

    def particle(self, p: Particle, indent: int, sep: str = ",") -> list[str]:
        pad = "    " * indent
        head = f"Particle {{ min: {p.lo}, max: {max_occurs(p.hi)}, term: "
        if p.kind == "element":
            e = self.g.elements[p.element]
            prefix = KNOWN_PREFIXES.get(self.g.namespaces[e.ns], "?")
            name = f"{prefix}:{e.name}" if prefix else e.name
            return [f"{pad}{head}Term::Element({p.element}) }}{sep} // {name}"]
        if p.kind == "any":
            c, proc = p.wildcard
            return [f"{pad}{head}Term::Any(Wildcard {{ ns: {c}, process: {proc} }}) }}{sep}"]
        variant = {"sequence": "Sequence", "choice": "Choice", "all": "All"}[p.kind]
        if not p.children:
            return [f"{pad}{head}Term::{variant}(&[]) }}{sep}"]
        out = [f"{pad}{head}Term::{variant}(&["]
        for c in p.children:
            out.extend(self.particle(c, indent + 1))
        out.append(f"{pad}]) }}{sep}")
        return out

    def facet(self, kind: str, value: object) -> str:
        if kind in ("Pattern", "Enumeration"):
            assert isinstance(value, list)
            return f"Facet::{kind}(&[" + ", ".join(rust_str(v) for v in value) + "])"
        if kind in ("Length", "MinLength", "MaxLength", "TotalDigits", "FractionDigits"):
            return f"Facet::{kind}({value})"
        if kind == "WhiteSpace":
            return f"Facet::WhiteSpace(WhiteSpace::{value})"
        assert isinstance(value, str)
        return f"Facet::{kind}({rust_str(value)})"

    def attr(self, a: Attr) -> str:
        fixed = "None" if a.fixed is None else f"Some({rust_str(a.fixed)})"
        return (
            f"AttributeDecl {{ ns: {a.ns}, name: {rust_str(a.name)}, ty: {a.ty}, "
            f"use_: AttributeUse::{a.use}, fixed: {fixed} }}, // {a.comment}"
        )

    def render(self) -> str:
        g = self.g
        w = self.w
        w("// @generated by tools/gen_duis_schema.py -- do not edit by hand.")
        w("//")
        w("// opendcc's own expression of the DUIS 5.4 schema structure, derived from:")
        for name, digest in self.inputs:
            w(f"//   {name} (sha256 {digest})")
        for ns, loc in g.unavailable_ns:
            w(f"// Not available (its types are recorded as unavailable): {loc} for {ns}")
        w("//")
        w("// Regenerate with `python3 tools/gen_duis_schema.py`.")
        w("")
        w("use crate::tables::*;")
        w("")
        w(f"pub(crate) static NAMESPACES: [&str; {len(g.namespaces)}] = [")
        for ns in g.namespaces:
            w(f"    {rust_str(ns)},")
        w("];")
        w("")
        w(f"pub(crate) static UNAVAILABLE_TYPES: [QName; {len(g.unavailable)}] = [")
        for ns, local in g.unavailable:
            w(f"    QName {{ ns: {g.namespaces.index(ns)}, local: {rust_str(local)} }},")
        w("];")
        w("")
        globals_ = [i for qn, i in g.element_index.items()]
        w(f"pub(crate) static GLOBAL_ELEMENTS: [u32; {len(globals_)}] = [")
        for qn, i in g.element_index.items():
            w(f"    {i}, // {g.pretty(qn)}")
        w("];")
        w("")
        w(f"pub(crate) static ELEMENTS: [ElementDecl; {len(g.elements)}] = [")
        for i, e in enumerate(g.elements):
            fixed = "None" if e.fixed is None else f"Some({rust_str(e.fixed)})"
            comment = self.type_comment(e.ty)
            w(
                f"    /* {i} */ ElementDecl {{ ns: {e.ns}, name: {rust_str(e.name)}, ty: {e.ty}, "
                f"nillable: {str(e.nillable).lower()}, is_abstract: {str(e.abstract).lower()}, fixed: {fixed} }},"
                + (f" // {comment}" if comment else "")
            )
        w("];")
        w("")
        w(f"pub(crate) static SIMPLE_TYPES: [SimpleTypeDef; {len(g.simple)}] = [")
        for i, s in enumerate(g.simple):
            assert s is not None
            comment = self.type_comment(s.base)
            w(f"    /* {i} */ SimpleTypeDef {{")
            w(f"        name: {self.qname_lit(s.name)},")
            w(f"        base: {s.base}," + (f" // {comment}" if comment else ""))
            if s.facets:
                w("        facets: &[")
                for kind, value in s.facets:
                    w(f"            {self.facet(kind, value)},")
                w("        ],")
            else:
                w("        facets: &[],")
            w("    },")
        w("];")
        w("")
        w(f"pub(crate) static COMPLEX_TYPES: [ComplexTypeDef; {len(g.complex)}] = [")
        for i, c in enumerate(g.complex):
            assert c is not None
            w(f"    /* {i} */ ComplexTypeDef {{")
            w(f"        name: {self.qname_lit(c.name)},")
            w(f"        is_abstract: {str(c.abstract).lower()},")
            w(f"        mixed: {str(c.mixed).lower()},")
            base_comment = ""
            if "(TypeRef::" in c.derivation:
                base_comment = self.type_comment(c.derivation[c.derivation.index("(") + 1 : -1])
            w(f"        derivation: {c.derivation}," + (f" // {base_comment}" if base_comment else ""))
            if c.content == "Empty":
                w("        content: ContentDef::Empty,")
            elif c.content == "Simple":
                comment = self.type_comment(c.simple)
                w(f"        content: ContentDef::Simple({c.simple}),"+ (f" // {comment}" if comment else ""))
            else:
                w("        content: ContentDef::Elements(")
                for line in self.particle(c.particle, 3, sep=""):
                    w(line)
                w("        ),")
            if c.attributes:
                w("        attributes: &[")
                for a in c.attributes:
                    w(f"            {self.attr(a)}")
                w("        ],")
            else:
                w("        attributes: &[],")
            if c.wildcard is None:
                w("        attribute_wildcard: None,")
            else:
                cons, proc = c.wildcard
                w(f"        attribute_wildcard: Some(Wildcard {{ ns: {cons}, process: {proc} }}),")
            w("    },")
        w("];")
        w("")
        return "\n".join(self.lines) + "\n"


def default_schema_dir() -> Path:
    env = os.environ.get("OPENDCC_CORPUS")
    if env:
        return Path(env) / "duis-schema"
    repo = Path(__file__).resolve().parent.parent
    return repo.parent / "shared" / "corpus" / "duis-schema"


def generate(schema_dir: Path) -> str:
    gen = Generator(schema_dir)
    gen.load(ROOT_SCHEMA)
    gen.build()
    inputs = []
    for doc in gen.docs:
        digest = hashlib.sha256(doc.path.read_bytes()).hexdigest()
        inputs.append((doc.path.name, digest))
    return Writer(gen, inputs).render()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema-dir", type=Path, default=None, help="directory holding duis-schema-v5.4.xsd")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "crates" / "duis-schema" / "src" / "generated.rs",
    )
    args = ap.parse_args(argv)
    schema_dir = args.schema_dir or default_schema_dir()
    try:
        text = generate(schema_dir)
    except (SchemaError, OSError, ET.ParseError, KeyError, ValueError) as e:
        print(f"gen_duis_schema: {e}", file=sys.stderr)
        return 1
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
