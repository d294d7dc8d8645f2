#!/usr/bin/env python3
"""The TOML reader against Python's tomllib (TOML 1.0), document by document.

Usage: toml_differential.py PATH/TO/bw-toml2json [FOLDER...]
(documents in the FOLDERs, say a fuzzer's corpus, are compared too)

Every document of CASES (hand-written, one per rule, each with the verdict
TOML 1.0 gives it) and of a seeded generator (valid documents built from
random trees, then mutated by dropping, doubling and swapping lines and
bytes) goes to both readers. They must agree: both refuse it, or both
accept it with the same tree. Where bulwark is stricter on purpose, the
oracle's answer is turned into a refusal first: inf and nan (no JSON form),
integers outside 64 bits, U+0000 in a key, nesting deeper than 64.
"""
import datetime
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import tomllib

MAX_DEPTH = 64

# (verdict, document). One rule a line where possible.
CASES = [
    # comments, whitespace, newlines
    ("ok", b""),
    ("ok", b"# only a comment"),
    ("ok", b"\n\n  \t\n"),
    ("ok", b"a = 1 # comment\n"),
    ("ok", b"a = 1\r\nb = 2\r\n"),
    ("ok", b"a = 1\r\nb = 2\n"),
    ("err", b"a = 1\rb = 2"),
    ("err", b"a = 1 # bad \x01 control\n"),
    ("err", b"a = 1 # bad \x7f del\n"),
    ("ok", b"a = 1 # tab\tin comment\n"),
    ("ok", "a = 1 # é ünïcödé ☃\n".encode()),
    ("err", b"a = 1 # \xff invalid utf-8\n"),
    ("err", b"a = \"\xc0\xaf\"\n"),
    ("err", b"a = \"\xed\xa0\x80\"\n"),
    ("err", b"a = \"\xf4\x90\x80\x80\"\n"),
    ("ok", "a = \"\U0010FFFF\"\n".encode()),
    ("err", b"a = 1 b = 2\n"),
    ("err", b"a = 1\n=2\n"),
    ("err", b"a\n"),
    ("err", b"a =\n"),
    ("err", b"a = # nothing\n"),
    ("err", b"= 1\n"),
    ("err", b"a = 1\n\x00\n"),
    # keys
    ("ok", b"bare_key-1 = 1\n"),
    ("ok", b"1234 = 1\n"),
    ("ok", b"\"quoted key\" = 1\n"),
    ("ok", b"'literal key' = 1\n"),
    ("ok", b"\"\" = 1\n"),
    ("ok", b"'' = 1\n"),
    ("ok", b"a.b.c = 1\n"),
    ("ok", b"a . b . c = 1\n"),
    ("ok", b"a.\"b.c\".'d' = 1\n"),
    ("ok", b"\"\\u00e9\" = 1\n"),
    ("ok", b"3.14159 = \"pi\"\n"),
    ("err", "é = 1\n".encode()),
    ("err", b"a b = 1\n"),
    ("err", b"a. = 1\n"),
    ("err", b".a = 1\n"),
    ("err", b"a..b = 1\n"),
    ("err", b"\"\"\"a\"\"\" = 1\n"),
    ("err", b"'''a''' = 1\n"),
    ("err", b"\"a\nb\" = 1\n"),
    ("err", b"a = 1\na = 2\n"),
    ("err", b"a = 1\n\"a\" = 2\n"),
    ("err", b"a = 1\n'a' = 2\n"),
    ("err", b"a.b = 1\na.b = 2\n"),
    ("err", b"a.b = 1\na = 2\n"),
    ("err", b"a = 1\na.b = 2\n"),
    ("ok", b"a.b = 1\na.c = 2\n"),
    ("ok", b"fruit.apple.color = \"red\"\nfruit.apple.taste.sweet = true\n"),
    ("ok", b"apple.type = \"fruit\"\norange.type = \"fruit\"\napple.skin = \"thin\"\n"),
    # basic strings
    ("ok", b"a = \"plain\"\n"),
    ("ok", b"a = \"\\b\\t\\n\\f\\r\\\"\\\\\"\n"),
    ("ok", b"a = \"\\u0041\\U0001F600\\u00E9\"\n"),
    ("ok", b"a = \"\\u0000\"\n"),
    ("ok", b"a = \"\\uD7FF\\uE000\\U0010FFFF\"\n"),
    ("err", b"a = \"\\uD800\"\n"),
    ("err", b"a = \"\\uDFFF\"\n"),
    ("err", b"a = \"\\U00110000\"\n"),
    ("err", b"a = \"\\UFFFFFFFF\"\n"),
    ("err", b"a = \"\\u12\"\n"),
    ("err", b"a = \"\\u12G4\"\n"),
    ("err", b"a = \"\\x41\"\n"),
    ("err", b"a = \"\\e\"\n"),
    ("err", b"a = \"\\ \"\n"),
    ("err", b"a = \"\\\"\n"),
    ("err", b"a = \"unterminated\n"),
    ("err", b"a = \"unterminated"),
    ("err", b"a = \"tab\tok but \x01 not\"\n"),
    ("ok", b"a = \"tab\tok\"\n"),
    ("err", b"a = \"del\x7f\"\n"),
    ("err", b"a = \"a\" \"b\"\n"),
    ("err", b"a = \"a\"b\n"),
    # multi-line basic strings
    ("ok", b"a = \"\"\"\nline1\nline2\"\"\"\n"),
    ("ok", b"a = \"\"\"\r\nline1\r\nline2\"\"\"\n"),
    ("ok", b"a = \"\"\"no newline\"\"\"\n"),
    ("ok", b"a = \"\"\"\n\n two\"\"\"\n"),
    ("ok", b"a = \"\"\"The quick \\\n\n   brown \\\n   fox.\"\"\"\n"),
    ("ok", b"a = \"\"\"trail \\   \n  x\"\"\"\n"),
    ("err", b"a = \"\"\"trail \\  x\n\"\"\"\n"),
    ("ok", b"a = \"\"\"one \"quote\" two \"\"quotes\"\"\"\"\n"),
    ("ok", b"a = \"\"\"\"\"\"\n"),
    ("ok", b"a = \"\"\"x\"\"\"\"\n"),
    ("ok", b"a = \"\"\"x\"\"\"\"\"\n"),
    ("err", b"a = \"\"\"x\"\"\"\"\"\"\n"),
    ("ok", b"a = \"\"\"\"x\"\"\"\n"),
    ("ok", b"a = \"\"\"\"\"x\"\"\"\n"),
    ("err", b"a = \"\"\"\"\"\"x\"\"\"\n"),
    ("ok", b"a = \"\"\"tab\there\"\"\"\n"),
    ("err", b"a = \"\"\"ctl\x08\"\"\"\n"),
    ("err", b"a = \"\"\"unterminated\n"),
    ("ok", b"a = \"\"\"\\u00e9\\t\"\"\"\n"),
    ("err", b"a = \"\"\"\\q\"\"\"\n"),
    ("ok", b"a = \"\"\"a\\\n\"\"\"\n"),
    ("ok", b"a = \"\"\"a\\\n   \n\n b\"\"\"\n"),
    # literal strings
    ("ok", b"a = 'C:\\Users\\nodejs\\templates'\n"),
    ("ok", b"a = '<\\i\\c*\\s*>'\n"),
    ("ok", b"a = 'tab\there'\n"),
    ("err", b"a = 'it's'\n"),
    ("err", b"a = 'unterminated\n"),
    ("err", b"a = 'ctl\x1f'\n"),
    ("ok", b"a = ''\n"),
    ("ok", b"a = '''\nI [dw]on't need \\d{2} apples'''\n"),
    ("ok", b"a = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\n"),
    ("ok", b"a = ''''That,' she said, 'is still pointless.''''\n"),
    ("ok", b"a = '''x'''''\n"),
    ("err", b"a = '''x''''''\n"),
    ("ok", b"a = ''''''\n"),
    ("err", b"a = '''ctl\x00'''\n"),
    ("ok", b"a = '''\r\nwin\r\n'''\n"),
    ("err", b"a = '''unterminated\n"),
    # integers
    ("ok", b"a = 0\nb = +0\nc = -0\nd = 42\ne = -17\nf = +99\n"),
    ("ok", b"a = 1_000\nb = 5_349_221\nc = 53_49_221\nd = 1_2_3_4_5\n"),
    ("ok", b"a = 0xDEADBEEF\nb = 0xdeadbeef\nc = 0xdead_beef\nd = 0x0\n"),
    ("ok", b"a = 0o01234567\nb = 0o755\nc = 0b11010110\nd = 0b0_1\n"),
    ("ok", b"a = 9223372036854775807\nb = -9223372036854775808\n"),
    ("ok", b"a = 0x7FFFFFFFFFFFFFFF\nb = 0o777777777777777777777\n"),
    ("err", b"a = 9223372036854775808\n"),
    ("err", b"a = -9223372036854775809\n"),
    ("err", b"a = 0x8000000000000000\n"),
    ("err", b"a = 0b1000000000000000000000000000000000000000000000000000000000000000\n"),
    ("err", b"a = 99999999999999999999999999\n"),
    ("err", b"a = 01\n"),
    ("err", b"a = 00\n"),
    ("err", b"a = -01\n"),
    ("err", b"a = 0_0\n"),
    ("err", b"a = 1__000\n"),
    ("err", b"a = _1000\n"),
    ("err", b"a = 1000_\n"),
    ("err", b"a = 0x\n"),
    ("err", b"a = 0x_1\n"),
    ("err", b"a = 0x1_\n"),
    ("err", b"a = 0X1\n"),
    ("err", b"a = +0x1\n"),
    ("err", b"a = -0o7\n"),
    ("err", b"a = 0o8\n"),
    ("err", b"a = 0b2\n"),
    ("err", b"a = 0xg\n"),
    ("err", b"a = 1 2\n"),
    ("err", b"a = ++1\n"),
    ("err", b"a = +\n"),
    ("err", b"a = 1a\n"),
    # floats
    ("ok", b"a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\n"),
    ("ok", b"a = 6.626e-34\nb = 224_617.445_991_228\nc = 0.0\nd = -0.0\ne = +0.0\n"),
    ("ok", b"a = 0e0\nb = 0E+1\nc = 1e-0\nd = 1.5e1_0\n"),
    ("ok", b"a = 1e-400\nb = 2.2250738585072014e-308\nc = 1.7976931348623157e308\n"),
    ("ok", b"a = 0.1\nb = 0.30000000000000004\nc = 123456789.123456789e-5\n"),
    ("err", b"a = 1e400\n"),
    ("err", b"a = -1e400\n"),
    ("err", b"a = .7\n"),
    ("err", b"a = 7.\n"),
    ("err", b"a = 3.e+20\n"),
    ("err", b"a = 1.5e\n"),
    ("err", b"a = 1e+\n"),
    ("err", b"a = 1e_5\n"),
    ("err", b"a = 1_.5\n"),
    ("err", b"a = 1._5\n"),
    ("err", b"a = 1.5_\n"),
    ("err", b"a = 01.5\n"),
    ("err", b"a = 00.5\n"),
    ("err", b"a = 1.5.5\n"),
    ("err", b"a = 1e5.5\n"),
    ("err", b"a = 0x1.5\n"),
    ("err", b"a = inf\n"),
    ("err", b"a = +inf\n"),
    ("err", b"a = -inf\n"),
    ("err", b"a = nan\n"),
    ("err", b"a = +nan\n"),
    ("err", b"a = -nan\n"),
    ("err", b"a = [1.0, nan]\n"),
    ("err", b"a = Inf\n"),
    ("err", b"a = infinity\n"),
    # booleans
    ("ok", b"a = true\nb = false\n"),
    ("err", b"a = True\n"),
    ("err", b"a = truee\n"),
    ("err", b"a = fals\n"),
    ("err", b"a = tru\n"),
    # date-times
    ("ok", b"a = 1979-05-27T07:32:00Z\n"),
    ("ok", b"a = 1979-05-27T00:32:00-07:00\n"),
    ("ok", b"a = 1979-05-27T00:32:00.999999-07:00\n"),
    ("ok", b"a = 1979-05-27 07:32:00Z\n"),
    ("ok", b"a = 1979-05-27t07:32:00z\n"),
    ("ok", b"a = 1979-05-27T07:32:00\n"),
    ("ok", b"a = 1979-05-27T00:32:00.5\n"),
    ("ok", b"a = 1979-05-27T00:32:00.123456789\n"),
    ("ok", b"a = 1979-05-27\n"),
    ("ok", b"a = 07:32:00\n"),
    ("ok", b"a = 00:32:00.999999\n"),
    ("ok", b"a = 2000-02-29\nb = 2024-02-29T23:59:59+23:59\n"),
    ("ok", b"a = 1979-05-27 # date then comment\n"),
    ("ok", b"a = [1979-05-27, 07:32:00, 1979-05-27T07:32:00Z]\n"),
    ("ok", b"a = {d = 1979-05-27T07:32:00+01:00}\n"),
    ("err", b"a = 1900-02-29\n"),
    ("err", b"a = 2023-02-29\n"),
    ("err", b"a = 2023-04-31\n"),
    ("err", b"a = 2023-13-01\n"),
    ("err", b"a = 2023-00-01\n"),
    ("err", b"a = 2023-01-00\n"),
    ("err", b"a = 2023-01-32\n"),
    ("err", b"a = 2023-1-01\n"),
    ("err", b"a = 1979-05-27T24:00:00\n"),
    ("err", b"a = 1979-05-27T23:60:00\n"),
    ("err", b"a = 1979-05-27T23:59:60\n"),
    ("err", b"a = 1979-05-27T07:32\n"),
    ("err", b"a = 07:32\n"),
    ("err", b"a = 7:32:00\n"),
    ("err", b"a = 1979-05-27T07:32:00.\n"),
    ("err", b"a = 1979-05-27T07:32:00+24:00\n"),
    ("err", b"a = 1979-05-27T07:32:00+01:60\n"),
    ("err", b"a = 1979-05-27T07:32:00+0100\n"),
    ("err", b"a = 1979-05-27T07:32:00Zx\n"),
    ("err", b"a = 1979-05-27T\n"),
    ("err", b"a = 1979-05-27 07:32\n"),
    ("err", b"a = 1979-05-27X07:32:00\n"),
    ("err", b"a = 07:32:00Z\n"),
    ("err", b"a = 07:32:00+01:00\n"),
    ("err", b"a = 1979-05-27Z\n"),
    ("err", b"a = 12345-05-27\n"),
    ("err", b"a = 979-05-27\n"),
    # arrays
    ("ok", b"a = []\n"),
    ("ok", b"a = [ ]\n"),
    ("ok", b"a = [1, 2, 3]\n"),
    ("ok", b"a = [1, 2, 3,]\n"),
    ("ok", b"a = [\n  1,\n  2, # two\n  # only a comment\n]\n"),
    ("ok", b"a = [ \"a\", 'b', \"\"\"c\"\"\", '''d''' ]\n"),
    ("ok", b"a = [ [ 1, 2 ], [\"a\", \"b\"], [] ]\n"),
    ("ok", b"a = [ 0.1, 0.2, 0.5, 1, 2, 5, \"mixed\", {x = 1}, [true] ]\n"),
    ("ok", b"a = [{b = 1}, {c = 2}]\n"),
    ("err", b"a = [,]\n"),
    ("err", b"a = [1,,2]\n"),
    ("err", b"a = [1 2]\n"),
    ("err", b"a = [1\n"),
    ("err", b"a = [1,\n"),
    ("err", b"a = [\n"),
    ("err", b"a = ]\n"),
    ("err", b"a = [1]]\n"),
    ("err", b"a = [1, # comment \x01\n]\n"),
    # inline tables
    ("ok", b"a = {}\n"),
    ("ok", b"a = { }\n"),
    ("ok", b"a = { first = \"Tom\", last = \"Preston-Werner\" }\n"),
    ("ok", b"a = { x = 1, y = 2 }\n"),
    ("ok", b"a = { type.name = \"pug\" }\n"),
    ("ok", b"a = { x.y = 1, x.z = 2 }\n"),
    ("ok", b"a = { b = { c = { d = 1 } } }\n"),
    ("ok", b"a = { b = [1, 2] , c = \"\"\"x\ny\"\"\" }\n"),
    ("ok", b"a = { b = [\n1,\n2] }\n"),
    ("err", b"a = { b = 1, }\n"),
    ("err", b"a = { , }\n"),
    ("err", b"a = { b = 1\n}\n"),
    ("err", b"a = {\nb = 1 }\n"),
    ("err", b"a = { b = 1 c = 2 }\n"),
    ("err", b"a = { b = 1, b = 2 }\n"),
    ("err", b"a = { b.c = 1, b = 2 }\n"),
    ("err", b"a = { b = 1, b.c = 2 }\n"),
    ("err", b"a = { b = {}, b.c = 2 }\n"),
    ("err", b"a = { b = [], b.c = 2 }\n"),
    ("err", b"a = { b.c = 1, b.c = 2 }\n"),
    ("err", b"a = { b = 1\n"),
    ("err", b"a = {b=1}\na.c = 2\n"),
    ("err", b"a = {b=1}\n[a]\nc = 2\n"),
    ("err", b"a = {b=1}\n[a.c]\n"),
    ("err", b"a = {b={}}\n[a.b]\n"),
    ("err", b"a = {}\n[[a]]\n"),
    ("err", b"a = {b.c=1}\na.b.d = 2\n"),
    # tables
    ("ok", b"[table]\n"),
    ("ok", b"[table-1]\nkey1 = \"some string\"\n[table-2]\nkey1 = \"another\"\n"),
    ("ok", b"[dog.\"tater.man\"]\ntype.name = \"pug\"\n"),
    ("ok", b"[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"k\" . 'l' ]\n"),
    ("ok", b"[x.y.z.w]\n[x]\n"),
    ("ok", b"[a.b.c]\nz = 9\n[a]\nx = 1\n"),
    ("ok", b"[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n"),
    ("ok", b"a = 1\n[b]\na = 2\n"),
    ("ok", b"[\"\"]\nx = 1\n"),
    ("ok", b"[a]\n[a.b]\n[a.b.c]\n[a.d]\n"),
    ("ok", b"a.b.c = 1\n[a.d]\n"),
    ("ok", b"[a.b.c]\n[a]\nb.d = 1\n"),
    ("err", b"[a]\n[a]\n"),
    ("err", b"[a]\nb = 1\n[a]\nc = 2\n"),
    ("err", b"[a.b]\n[a.b]\n"),
    ("err", b"[a]\nb = 1\n[a.b]\n"),
    ("err", b"[a]\nb.c = 1\n[a.b]\n"),
    ("err", b"a.b = 1\n[a]\n"),
    ("err", b"a.b.c = 1\n[a.b]\n"),
    ("err", b"[fruit]\napple.color = \"red\"\n[fruit.apple]\n"),
    ("err", b"[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n"),
    ("err", b"[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1\n"),
    ("err", b"[a.b.c]\n[a]\nb.d = 1\n[a.b]\n"),
    ("err", b"[a]\nb = 1\n[a.b.c]\n"),
    ("err", b"a = 1\n[a]\n"),
    ("err", b"a = 1\n[a.b]\n"),
    ("err", b"a = [1]\n[a]\n"),
    ("err", b"a = [1]\n[a.b]\n"),
    ("err", b"[]\n"),
    ("err", b"[a.]\n"),
    ("err", b"[.a]\n"),
    ("err", b"[a..b]\n"),
    ("err", b"[a\n"),
    ("err", b"[a] b = 1\n"),
    ("ok", b"[a] # comment\nb = 1\n"),
    ("err", b"[a]]\n"),
    ("err", b"[ [a] ]\n"),
    ("err", b"[a b]\n"),
    ("err", b"[\"\"\"a\"\"\"]\n"),
    ("err", b"[a]\nb = 1\nb = 2\n"),
    ("err", b"[a]\n\"b\" = 1\n'b' = 2\n"),
    # arrays of tables
    ("ok", b"[[products]]\nname = \"Hammer\"\n[[products]]\n[[products]]\nname = \"Nail\"\n"),
    ("ok", b"[[fruits]]\nname = \"apple\"\n[fruits.physical]\ncolor = \"red\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[[fruits.varieties]]\nname = \"granny smith\"\n[[fruits]]\nname = \"banana\"\n[[fruits.varieties]]\nname = \"plantain\"\n"),
    ("ok", b"[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n"),
    ("ok", b"[[a]]\nb.c = 1\n[[a]]\nb.c = 2\n"),
    ("ok", b"[[a.b]]\n[[a.b]]\n[a]\nc = 1\n"),
    ("ok", b"[ [ a ] ]\n") if False else ("err", b"[ [ a ] ]\n"),
    ("ok", b"[[ a . b ]]\n"),
    ("err", b"[[a]]\n[a]\n"),
    ("err", b"[a]\n[[a]]\n"),
    ("err", b"a = []\n[[a]]\n"),
    ("err", b"a = [{b = 1}]\n[[a]]\n"),
    ("err", b"a = [{b = 1}]\n[a.c]\n"),
    ("err", b"[[fruits]]\n[fruits.physical]\n[[fruits.physical]]\n"),
    ("err", b"[[fruits]]\n[[fruits.physical]]\n[fruits.physical]\n"),
    ("err", b"[[a]]\nb = 1\nb = 2\n"),
    ("err", b"[[a]\n"),
    ("err", b"[[a]]]\n"),
    ("err", b"[[]]\n"),
    ("err", b"[[a]]\n[a.b]\n[a.b]\n"),
    ("err", b"[[a.b]]\n[a]\nb.c = 1\n"),
    ("err", b"a = 1\n[[a]]\n"),
    ("err", b"a.b = 1\n[[a.b]]\n"),
    ("ok", b"[[a]]\n[[a.b]]\n[[a.b]]\n[[a]]\n[[a.b]]\n"),
    ("err", b"[a]\n[[a.b]]\n[a.b]\n"),
    ("ok", b"[a.b]\n[[a.c]]\n[a]\n"),
    # a larger document, as the TOML site shows
    ("ok", b"""# This is a TOML document
title = "TOML Example"

[owner]
name = "Tom Preston-Werner"
dob = 1979-05-27T07:32:00-08:00

[database]
enabled = true
ports = [ 8000, 8001, 8002 ]
data = [ ["delta", "phi"], [3.14] ]
temp_targets = { cpu = 79.5, case = 72.0 }

[servers]

[servers.alpha]
ip = "10.0.0.1"
role = "frontend"

[servers.beta]
ip = "10.0.0.2"
role = "backend"
"""),
    # Bottlerocket user data
    ("ok", b"""[settings.kernel]
lockdown = "integrity"

[settings.kernel.sysctl]
"net.ipv4.ip_forward" = "1"

[settings.kernel.modules.sctp]
allowed = false

[settings.network]
https-proxy = "http://proxy:3128"
no-proxy = ["localhost", "127.0.0.1"]
"""),
]


def deep(n):
    return b"a = " + b"[" * n + b"]" * n + b"\n"


def deep_inline(n):
    return b"a = " + b"{b = " * n + b"1" + b"}" * n + b"\n"


def deep_key(n):
    return b".".join([b"k"] * n) + b" = 1\n"


def deep_header(n):
    return b"[" + b".".join([b"k"] * n) + b"]\n"


DEPTH_CASES = [
    ("ok", deep(63)), ("err", deep(64)), ("err", deep(5000)),
    ("ok", b"[[x]]\n" + deep(61)), ("err", b"[[x]]\n" + deep(62)),
    ("ok", deep_key(64)), ("err", deep_key(65)), ("ok", deep_header(63)), ("err", deep_header(64)),
    ("ok", deep_inline(30)), ("err", deep_inline(70)), ("err", deep_inline(5000)),
    ("ok", deep_key(60)), ("err", deep_key(65)), ("err", deep_key(5000)),
    ("ok", deep_header(60)), ("err", deep_header(65)), ("err", deep_header(5000)),
    ("err", b"[" + b"x." * 40 + b"y]\n" + b"z." * 40 + b"w = 1\n"),
]


def depth_of(v):
    if isinstance(v, dict):
        return 1 + max((depth_of(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth_of(x) for x in v), default=0)
    return 0


def stricter(v):
    """Why bulwark refuses what tomllib accepted, or None."""
    if isinstance(v, float) and not math.isfinite(v):
        return "inf or nan"
    if isinstance(v, int) and not isinstance(v, bool) and not -2**63 <= v < 2**63:
        return "integer out of 64 bits"
    if isinstance(v, dict):
        for k, x in v.items():
            if "\0" in k:
                return "NUL in a key"
            why = stricter(x)
            if why:
                return why
    if isinstance(v, list):
        for x in v:
            why = stricter(x)
            if why:
                return why
    return None


DT_RE = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?(?:T?(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$")


def our_datetime(s):
    """Our RFC 3339 text as the object tomllib gives (fractions past
    microseconds dropped, as tomllib does)."""
    m = DT_RE.match(s)
    if not m or not s:
        return None
    y, mo, d, h, mi, sec, frac, off = m.groups()
    micro = int((frac or "")[:6].ljust(6, "0")) if frac else 0
    tz = None
    if off == "Z":
        tz = datetime.timezone.utc
    elif off:
        sign = -1 if off[0] == "-" else 1
        tz = datetime.timezone(sign * datetime.timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    if y and h:
        if "T" not in s:
            return None
        return datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec), micro, tzinfo=tz)
    if y:
        return None if off else datetime.date(int(y), int(mo), int(d))
    if h:
        return None if off else datetime.time(int(h), int(mi), int(sec), micro)
    return None


def same(oracle, ours, path="$"):
    """None when equal, else where they differ."""
    if isinstance(oracle, (datetime.datetime, datetime.date, datetime.time)):
        got = our_datetime(ours) if isinstance(ours, str) else None
        if got is None or type(got) is not type(oracle) or got.isoformat() != oracle.isoformat():
            return f"{path}: {oracle.isoformat()!r} vs {ours!r}"
        return None
    if isinstance(oracle, bool) or isinstance(ours, bool):
        return None if oracle is ours else f"{path}: {oracle!r} vs {ours!r}"
    if isinstance(oracle, float):
        if not isinstance(ours, float) or ours != oracle or math.copysign(1, ours) != math.copysign(1, oracle):
            return f"{path}: {oracle!r} vs {ours!r}"
        return None
    if isinstance(oracle, dict):
        if not isinstance(ours, dict) or set(oracle) != set(ours):
            return f"{path}: keys {sorted(oracle) if isinstance(oracle, dict) else oracle!r} vs {ours!r}"[:300]
        for k in oracle:
            why = same(oracle[k], ours[k], f"{path}.{k}")
            if why:
                return why
        return None
    if isinstance(oracle, list):
        if not isinstance(ours, list) or len(oracle) != len(ours):
            return f"{path}: {oracle!r} vs {ours!r}"[:300]
        for i, (a, b) in enumerate(zip(oracle, ours)):
            why = same(a, b, f"{path}[{i}]")
            if why:
                return why
        return None
    if type(oracle) is not type(ours) or oracle != ours:
        return f"{path}: {oracle!r} vs {ours!r}"[:300]
    return None


def oracle(doc):
    """tomllib's verdict, made as strict as bulwark: (tree, None) or (None, why)."""
    try:
        tree = tomllib.loads(doc.decode("utf-8"))
        why = stricter(tree)
        if why:
            return None, why
        if depth_of(tree) > MAX_DEPTH:
            return None, "too deep"
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        return None, str(e)
    except RecursionError:
        return None, "too deep for tomllib too"
    return tree, None


# The generator: random trees written out with every syntax TOML has.
BARE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"


def gen_key(r):
    kind = r.random()
    if kind < 0.6:
        return "".join(r.choice(BARE) for _ in range(r.randint(1, 6)))
    if kind < 0.8:
        return r.choice(["a.b", "x y", "é", "", "quote\"d", "tab\there", "net.ipv4.ip_forward"])
    return r.choice(["a", "b", "c", "1", "-", "_"])


def write_key(r, k):
    if k and all(c in BARE for c in k) and r.random() < 0.8:
        return k
    if "'" not in k and "\n" not in k and "\t" not in k and r.random() < 0.4:
        return "'" + k + "'"
    return json.dumps(k, ensure_ascii=r.random() < 0.5)


def gen_scalar(r):
    kind = r.randint(0, 11)
    if kind == 0:
        return r.choice([0, 1, -1, 42, 2**63 - 1, -2**63, r.randint(-10**6, 10**6)])
    if kind == 1:
        return r.choice([0.0, -0.0, 1.5, -2.25e-3, 6.02e23, 1e-300, r.uniform(-1e6, 1e6)])
    if kind == 2:
        return r.random() < 0.5
    if kind == 3:
        return datetime.datetime(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28),
                                 r.randint(0, 23), r.randint(0, 59), r.randint(0, 59),
                                 r.choice([0, 500000, 123456]),
                                 tzinfo=r.choice([None, datetime.timezone.utc,
                                                  datetime.timezone(datetime.timedelta(hours=-7))]))
    if kind == 4:
        return datetime.date(r.randint(1, 9999), 2, r.choice([28, 29]) if False else 28)
    if kind == 5:
        return datetime.time(r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    return "".join(r.choice(["a", " ", "\t", "\n", "\"", "'", "\\", "é", "☃", "\U0001F600",
                             "\x7f", "\x01", "x", "#", "=", "[", "]", "{", "}"])
                   for _ in range(r.randint(0, 8)))


def write_int(r, v):
    kind = r.random()
    if v >= 0 and kind < 0.15:
        return "0x" + format(v, r.choice(["x", "X"]))
    if v >= 0 and kind < 0.25:
        return "0o" + format(v, "o")
    if v >= 0 and kind < 0.35:
        return "0b" + format(v, "b")
    s = str(v)
    if kind < 0.5 and len(s.lstrip("-")) > 3:
        digits = s.lstrip("-")
        s = ("-" if v < 0 else "") + digits[0] + "".join(("_" if r.random() < 0.3 else "") + c for c in digits[1:])
    if v >= 0 and r.random() < 0.1:
        s = "+" + s
    return s


def write_string(r, s):
    kind = r.random()
    if kind < 0.2 and not any(c in s for c in "'\n\x7f") and all(c >= " " or c == "\t" for c in s):
        return "'" + s + "'"
    if kind < 0.3 and "'''" not in s and not s.endswith("'") and all(c >= " " or c in "\t\n" for c in s) and "\x7f" not in s:
        return "'''" + ("\n" if r.random() < 0.5 else "") + s + "'''"
    if kind < 0.45:
        out = []
        for c in s:
            if c == "\\":
                out.append("\\\\")
            elif c == "\"":
                out.append("\\\"")
            elif c == "\n":
                out.append("\n")
            elif c < " " or c == "\x7f":
                out.append("\\u%04x" % ord(c))
            else:
                out.append(c)
        body = "".join(out)
        return "\"\"\"" + body + "\"\"\""
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == "\"":
            out.append("\\\"")
        elif c == "\n":
            out.append(r.choice(["\\n", "\\u000a", "\\U0000000A"]))
        elif c == "\t":
            out.append(r.choice(["\t", "\\t"]))
        elif c < " " or c == "\x7f":
            out.append("\\u%04X" % ord(c))
        elif ord(c) > 127 and r.random() < 0.5:
            out.append("\\U%08x" % ord(c) if ord(c) > 0xffff or r.random() < 0.5 else "\\u%04x" % ord(c))
        else:
            out.append(c)
    return "\"" + "".join(out) + "\""


def write_value(r, v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return write_int(r, v)
    if isinstance(v, float):
        s = repr(v)
        if "e" not in s and "." not in s:
            s += ".0"
        return s.replace("e+", r.choice(["e+", "e", "E+"]))
    if isinstance(v, datetime.datetime):
        s = v.isoformat()
        if r.random() < 0.3:
            s = s.replace("T", r.choice([" ", "t"]))
        return s.replace("+00:00", r.choice(["Z", "z", "+00:00"]))
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, str):
        return write_string(r, v)
    if isinstance(v, list):
        sep = r.choice([", ", ",", ",\n  ", " , # c\n"])
        body = sep.join(write_value(r, x) for x in v)
        return "[" + body + ("," if v and r.random() < 0.3 else "") + "]"
    return "{" + ", ".join(write_key(r, k) + " = " + write_value(r, x) for k, x in v.items()) + "}"


def gen_tree(r, depth):
    t = {}
    for _ in range(r.randint(0, 4)):
        k = gen_key(r)
        if k in t:
            continue
        kind = r.random()
        if depth < 4 and kind < 0.25:
            t[k] = gen_tree(r, depth + 1)
        elif depth < 4 and kind < 0.35:
            t[k] = [gen_tree(r, depth + 1) for _ in range(r.randint(1, 3))]
        elif kind < 0.45:
            t[k] = [gen_scalar(r) for _ in range(r.randint(0, 4))]
        else:
            t[k] = gen_scalar(r)
    return t


def is_table_list(v):
    return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)


def write_table(r, path, t, lines):
    """The scalars first (some inline), then sub-tables as headers or dotted keys."""
    later = []
    for k, v in t.items():
        if isinstance(v, dict) and r.random() < 0.7:
            later.append((k, v))
        elif is_table_list(v) and r.random() < 0.7:
            later.append((k, v))
        elif isinstance(v, dict) and v and r.random() < 0.5 and all(not isinstance(x, (dict, list)) for x in v.values()):
            for k2, v2 in v.items():
                lines.append(write_key(r, k) + " . " + write_key(r, k2) + " = " + write_value(r, v2))
        else:
            lines.append(write_key(r, k) + " = " + write_value(r, v) + r.choice(["", " # c", "  "]))
    for k, v in later:
        sub = path + [k]
        name = ".".join(write_key(r, x) for x in sub)
        if isinstance(v, dict):
            lines.append("[" + r.choice(["", " "]) + name + "]")
            write_table(r, sub, v, lines)
        else:
            for item in v:
                lines.append("[[" + name + "]]")
                write_table(r, sub, item, lines)


def mutate(r, doc):
    lines = doc.split(b"\n")
    kind = r.randint(0, 6)
    if kind == 0 and lines:
        i = r.randrange(len(lines))
        lines.insert(r.randrange(len(lines) + 1), lines[i])
    elif kind == 1 and lines:
        del lines[r.randrange(len(lines))]
    elif kind == 2 and len(lines) > 1:
        i, j = r.randrange(len(lines)), r.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        b = bytearray(doc)
        if not b:
            return doc
        i = r.randrange(len(b))
        if kind == 3:
            del b[i]
        elif kind == 4:
            b.insert(i, r.choice(b"[]{}.=,\"'\\#\n _-+0:eT\r\t\x00\xff"))
        else:
            b[i] = r.choice(b"[]{}.=,\"'\\#\n _-+019:eExob.T\r")
        return bytes(b)
    return b"\n".join(lines)


def generated(seed, count):
    r = random.Random(seed)
    docs = []
    for _ in range(count):
        lines = []
        write_table(r, [], gen_tree(r, 0), lines)
        doc = ("\n".join(lines) + "\n").encode()
        docs.append(("gen", doc))
        for _ in range(3):
            docs.append(("mut", mutate(r, doc)))
    return docs


def soup(seed, count):
    """Short documents of headers and dotted keys over three names, so that
    tables collide: every redefinition rule gets exercised."""
    r = random.Random(seed)
    values = ["1", "{}", "{x = 1}", "{a.b = 1}", "{a = {}}", "[]", "[{}]", "[1]", "'s'",
              "[{a = 1}, {b = 2}]"]
    docs = []
    for _ in range(count):
        lines = []
        for _ in range(r.randint(1, 6)):
            key = ".".join(r.choice("abc") for _ in range(r.randint(1, 3)))
            kind = r.random()
            if kind < 0.3:
                lines.append(f"[{key}]")
            elif kind < 0.5:
                lines.append(f"[[{key}]]")
            else:
                lines.append(f"{key} = {r.choice(values)}")
        docs.append(("soup", ("\n".join(lines) + "\n").encode()))
    return docs


def main():
    tool = sys.argv[1]
    n = int(os.environ.get("TOML_DIFF_DOCS", "1000"))
    cases = CASES + DEPTH_CASES + generated(7, n) + soup(8, 3 * n)
    for folder in sys.argv[2:]:
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), "rb") as f:
                cases.append(("any", f.read()))
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (_, doc) in enumerate(cases):
            path = os.path.join(tmp, f"{i}.toml")
            with open(path, "wb") as f:
                f.write(doc)
            paths.append(path)
        answers = []
        for i in range(0, len(paths), 2000):
            out = subprocess.run([tool] + paths[i:i + 2000], capture_output=True, check=True).stdout
            answers += out.decode("utf-8").split("\n")[:-1]
    assert len(answers) == len(cases), f"{len(answers)} answers for {len(cases)} documents"
    failures = 0
    counts = {"ok": 0, "err": 0}
    for (expect, doc), answer in zip(cases, answers):
        tree, why = oracle(doc)
        ours_ok = not answer.startswith("error: ")
        counts["ok" if tree is not None else "err"] += 1
        problem = None
        if expect in ("ok", "err") and (tree is not None) != (expect == "ok"):
            problem = f"the oracle says {'ok' if tree is not None else why!r}, the case says {expect}"
        elif expect == "gen" and tree is None:
            problem = f"a generated document the oracle refuses: {why}"
        elif tree is None and ours_ok:
            problem = f"accepted, but the oracle refuses it: {why}"
        elif tree is not None and not ours_ok:
            problem = f"refused ({answer}), the oracle accepts it"
        elif tree is not None:
            problem = same(tree, json.loads(answer))
        if problem:
            failures += 1
            print(f"not ok: {doc[:200]!r}\n  {problem}")
    print(f"{len(cases)} documents ({counts['ok']} valid, {counts['err']} invalid), "
          f"{failures} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
