#!/usr/bin/env python3
"""Writes hashes.json: password hashes made by implementations independent of Gatehouse.

The Swift tests read the JSON and never run this script. To regenerate:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install bcrypt passlib
    /tmp/venv/bin/python Tests/AuthenticationTests/Vectors/generate.py

Rounds are kept low so the tests are fast; the formats are those a real deployment stores.
"""

import base64
import hashlib
import json
import os
import struct

import bcrypt
from passlib.hash import pbkdf2_sha256

HERE = os.path.dirname(os.path.abspath(__file__))

PASSWORDS = [
    "correct horse battery staple",
    "Pa$$w0rd",
    "pässwörd-Ω-密码-🔑",  # non-ASCII: every scheme hashes the UTF-8 bytes
    "x",
]


def bcrypt_vectors():
    out = []
    for i, password in enumerate(PASSWORDS):
        cost = 4 + i % 3
        salt = bcrypt.gensalt(rounds=cost, prefix=b"2b")
        out.append(bcrypt.hashpw(password.encode(), salt).decode())
    # One $2a$ and one $2y$ (PHP's name for the same algorithm as $2b$).
    out.append(bcrypt.hashpw(PASSWORDS[0].encode(), bcrypt.gensalt(rounds=5, prefix=b"2a")).decode())
    salt_2y = bcrypt.gensalt(rounds=4).replace(b"$2b$", b"$2y$")
    out.append(bcrypt.hashpw(PASSWORDS[2].encode(), salt_2y).decode())
    passwords = PASSWORDS + [PASSWORDS[0], PASSWORDS[2]]
    return [{"password": p, "hash": h} for p, h in zip(passwords, out)]


def pbkdf2_vectors():
    rounds = [1000, 2000, 29000, 1500]
    return [
        {"password": p, "hash": pbkdf2_sha256.using(rounds=r, salt_size=16).hash(p)}
        for p, r in zip(PASSWORDS, rounds)
    ]


def aspnet_v2(password):
    # ASP.NET Identity V2: 0x00 | salt[16] | PBKDF2-HMAC-SHA1(password, salt, 1000)[32]
    salt = os.urandom(16)
    subkey = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 1000, 32)
    return base64.b64encode(b"\x00" + salt + subkey).decode()


def aspnet_v3(password, prf, iterations, salt_len=16, subkey_len=32):
    # ASP.NET Identity V3: 0x01 | prf u32be | iterations u32be | salt length u32be | salt | subkey
    digest = {0: "sha1", 1: "sha256", 2: "sha512"}[prf]
    salt = os.urandom(salt_len)
    subkey = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations, subkey_len)
    header = b"\x01" + struct.pack(">III", prf, iterations, salt_len)
    return base64.b64encode(header + salt + subkey).decode()


def main():
    v3_params = [(2, 1000, 16, 32), (1, 1200, 16, 32), (0, 1000, 16, 32), (2, 1100, 24, 64)]
    vectors = {
        "bcrypt": bcrypt_vectors(),
        "pbkdf2-sha256": pbkdf2_vectors(),
        "aspnet-v2": [{"password": p, "hash": aspnet_v2(p)} for p in PASSWORDS],
        "aspnet-v3": [
            {"password": p, "hash": aspnet_v3(p, *params)} for p, params in zip(PASSWORDS, v3_params)
        ],
    }
    with open(os.path.join(HERE, "hashes.json"), "w", encoding="utf-8") as f:
        json.dump(vectors, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
