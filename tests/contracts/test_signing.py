"""Contract signatures: the published known answers of SM3, SM2 and Ed25519, the conventions a
signing device uses, what verification refuses, and how pasted keys and signatures are read."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from gmalg import SM2, SM3
from gmalg.base import PC_MODE
from gmalg.ellipticcurve import ECDLP
from gmalg.sm2 import SM2Core

from resolvers.security.signing import (
    ALGORITHMS,
    SM2_DEFAULT_ID,
    SM2_N,
    SM2_P,
    KeyPair,
    SignatureFormatError,
    derive_public_key,
    encode,
    generate_key,
    key_id,
    parse_public_key,
    parse_signature,
    sign,
    verify,
)

pytestmark = pytest.mark.once

MESSAGE = hashlib.sha256("合同正文 v1".encode()).digest()


def h(text: str) -> int:
    return int(text.replace(" ", ""), 16)


def sm3(data: bytes) -> bytes:
    digest = SM3()
    digest.update(data)
    return digest.value()


def flip(raw: bytes, index: int, bit: int = 0x01) -> bytes:
    changed = bytearray(raw)
    changed[index] ^= bit
    return bytes(changed)


@pytest.fixture(scope="module", params=ALGORITHMS)
def algorithm(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def keys() -> dict[str, KeyPair]:
    return {name: generate_key(name) for name in ALGORITHMS}


@pytest.fixture(scope="module")
def signature(keys) -> dict[str, bytes]:
    return {name: sign(name, keys[name].private_key, MESSAGE) for name in ALGORITHMS}


# -- known answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, digest",
    [
        (b"abc", "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0"),
        (b"abcd" * 16, "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732"),
    ],
)
def test_sm3_gives_the_examples_of_gb_t_32905(data, digest):
    assert sm3(data).hex() == digest.replace(" ", "")


# GB/T 32918.2-2016 Annex A (also GM/T 0003.2 and draft-shen-sm2-ecdsa): signing over the
# Fp-256 test curve with a fixed k.
TEST_CURVE = ECDLP(
    h("8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3"),
    h("787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498"),
    h("63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A"),
    (
        h("421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D"),
        h("0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2"),
    ),
    h("8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7"),
)
ANNEX_ID = b"ALICE123@YAHOO.COM"
ANNEX_MESSAGE = b"message digest"
ANNEX_D = h("128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263")
ANNEX_K = h("6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F")
ANNEX_PUBLIC = (
    h("0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A"),
    h("7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857"),
)
ANNEX_Z = "F4A38489 E32B45B6 F876E3AC 2168CA39 2362DC8F 23459C1D 1146FC3D BFB7BC9A"
ANNEX_R = h("40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1")
ANNEX_S = h("6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7")


def annex_core() -> SM2Core:
    return SM2Core(TEST_CURVE, SM3(), lambda bits: ANNEX_K)


def test_sm2_signs_the_example_of_gb_t_32918_annex_a():
    core = annex_core()
    public = core.generate_pk(ANNEX_D)
    assert public == ANNEX_PUBLIC
    assert core.entity_info(ANNEX_ID, public).hex() == ANNEX_Z.replace(" ", "").lower()
    assert core.sign(ANNEX_MESSAGE, ANNEX_D, ANNEX_ID, public) == (ANNEX_R, ANNEX_S)
    assert core.verify(ANNEX_MESSAGE, ANNEX_R, ANNEX_S, ANNEX_ID, public)


def test_sm2_refuses_the_annex_signature_changed():
    core = annex_core()
    n = TEST_CURVE.fpn.p
    assert not core.verify(b"message digesT", ANNEX_R, ANNEX_S, ANNEX_ID, ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R, ANNEX_S, b"BOB123@YAHOO.COM", ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R ^ 1, ANNEX_S, ANNEX_ID, ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R, ANNEX_S ^ 1, ANNEX_ID, ANNEX_PUBLIC)
    # The same residues plus n: equal modulo n, so only the range check refuses them.
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R + n, ANNEX_S, ANNEX_ID, ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R, ANNEX_S + n, ANNEX_ID, ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, 0, ANNEX_S, ANNEX_ID, ANNEX_PUBLIC)
    assert not core.verify(ANNEX_MESSAGE, ANNEX_R, 0, ANNEX_ID, ANNEX_PUBLIC)


@pytest.mark.parametrize(
    "private, public, message, expected",
    [
        (  # RFC 8032 §7.1 TEST 1
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (  # RFC 8032 §7.1 TEST 2
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
    ],
)
def test_ed25519_gives_the_answers_of_rfc_8032(private, public, message, expected):
    private_key, message_bytes = bytes.fromhex(private), bytes.fromhex(message)
    assert derive_public_key("ed25519", private_key).hex() == public
    assert sign("ed25519", private_key, message_bytes).hex() == expected
    assert verify("ed25519", bytes.fromhex(public), message_bytes, bytes.fromhex(expected))


# -- the production path ------------------------------------------------------------------


def test_generated_keys_have_the_raw_forms(keys, signature):
    ed, sm = keys["ed25519"], keys["sm2-sm3"]
    assert (len(ed.private_key), len(ed.public_key), len(signature["ed25519"])) == (32, 32, 64)
    assert (len(sm.private_key), len(sm.public_key), len(signature["sm2-sm3"])) == (32, 65, 64)
    assert sm.public_key[0] == 0x04 and 1 <= int.from_bytes(sm.private_key, "big") < SM2_N
    for name in ALGORITHMS:
        assert derive_public_key(name, keys[name].private_key) == keys[name].public_key


def test_a_signature_verifies_with_its_key_over_its_message(algorithm, keys, signature):
    assert verify(algorithm, keys[algorithm].public_key, MESSAGE, signature[algorithm])


def test_sm2_signatures_differ_each_time_and_all_verify(keys):
    pair = keys["sm2-sm3"]
    first, second = sign("sm2-sm3", pair.private_key, MESSAGE), sign("sm2-sm3", pair.private_key, MESSAGE)
    assert first != second
    assert verify("sm2-sm3", pair.public_key, MESSAGE, first) and verify("sm2-sm3", pair.public_key, MESSAGE, second)


def test_our_sm2_signature_verifies_as_a_device_would_check_it(keys, signature):
    """gmalg's own SM2 with the GM/T 0009 default ID: the signature is over SM3(Z‖M), M the
    32-byte digest, and r‖s is 32 + 32 bytes."""
    pair, value = keys["sm2-sm3"], signature["sm2-sm3"]
    device = SM2(pk=pair.public_key, uid=b"1234567812345678")
    assert device.verify(MESSAGE, value[:32], value[32:])
    assert not SM2(pk=pair.public_key, uid=b"another id").verify(MESSAGE, value[:32], value[32:])


def test_a_device_sm2_signature_verifies_here(keys):
    pair = keys["sm2-sm3"]
    r, s = SM2(sk=pair.private_key, uid=SM2_DEFAULT_ID).sign(MESSAGE)
    assert verify("sm2-sm3", pair.public_key, MESSAGE, r.rjust(32, b"\0") + s.rjust(32, b"\0"))
    r, s = SM2(sk=pair.private_key, uid=b"ALICE123@YAHOO.COM").sign(MESSAGE)
    assert not verify("sm2-sm3", pair.public_key, MESSAGE, r.rjust(32, b"\0") + s.rjust(32, b"\0"))


# -- what verification refuses ------------------------------------------------------------


def test_another_message_does_not_verify(algorithm, keys, signature):
    assert not verify(algorithm, keys[algorithm].public_key, flip(MESSAGE, 31), signature[algorithm])
    assert not verify(algorithm, keys[algorithm].public_key, MESSAGE + b"\0", signature[algorithm])
    assert not verify(algorithm, keys[algorithm].public_key, b"", signature[algorithm])


def test_another_key_does_not_verify(algorithm, signature):
    assert not verify(algorithm, generate_key(algorithm).public_key, MESSAGE, signature[algorithm])


@pytest.mark.parametrize("index", [0, 17, 31, 32, 50, 63])
def test_a_flipped_bit_of_the_signature_does_not_verify(algorithm, keys, signature, index):
    assert not verify(algorithm, keys[algorithm].public_key, MESSAGE, flip(signature[algorithm], index))
    assert not verify(algorithm, keys[algorithm].public_key, MESSAGE, flip(signature[algorithm], index, 0x80))


def test_the_same_bytes_under_the_other_algorithm_do_not_verify(keys, signature):
    assert not verify("sm2-sm3", keys["ed25519"].public_key, MESSAGE, signature["ed25519"])
    assert not verify("ed25519", keys["sm2-sm3"].public_key, MESSAGE, signature["sm2-sm3"])


def scalar(value: int) -> bytes:
    return value.to_bytes(32, "big")


@pytest.mark.parametrize(
    "r, s",
    [
        ("0", "s"),
        ("r", "0"),
        ("n", "s"),
        ("r", "n"),
        ("n+1", "s"),
        ("r", "n+1"),
        ("max", "s"),
        ("r", "max"),
    ],
)
def test_sm2_r_and_s_outside_one_to_n_minus_one_do_not_verify(keys, signature, r, s):
    value = signature["sm2-sm3"]
    pick = {"r": value[:32], "s": value[32:], "0": scalar(0), "n": scalar(SM2_N), "n+1": scalar(SM2_N + 1), "max": b"\xff" * 32}
    forged = pick[r] + pick[s]
    assert not verify("sm2-sm3", keys["sm2-sm3"].public_key, MESSAGE, forged)
    # gmalg refuses them as well, below our own check.
    assert not SM2(pk=keys["sm2-sm3"].public_key, uid=SM2_DEFAULT_ID).verify(MESSAGE, forged[:32], forged[32:])


def off_curve(public_key: bytes) -> bytes:
    return public_key[:-1] + bytes([public_key[-1] ^ 0x01])


@pytest.mark.parametrize(
    "case",
    ["short signature", "long signature", "empty signature", "short key", "long key", "garbage key", "unknown algorithm", "text"],
)
def test_garbage_is_not_a_signature_and_raises_nothing(algorithm, keys, signature, case):
    key, value = keys[algorithm].public_key, signature[algorithm]
    args = {
        "short signature": (algorithm, key, MESSAGE, value[:-1]),
        "long signature": (algorithm, key, MESSAGE, value + b"\0"),
        "empty signature": (algorithm, key, MESSAGE, b""),
        "short key": (algorithm, key[:-1], MESSAGE, value),
        "long key": (algorithm, key + b"\0", MESSAGE, value),
        "garbage key": (algorithm, b"\xff" * len(key), MESSAGE, value),
        "unknown algorithm": ("rsa", key, MESSAGE, value),
        "text": (algorithm, encode(key), MESSAGE, encode(value)),
    }[case]
    assert verify(*args) is False


def test_an_sm2_key_off_the_curve_or_compressed_does_not_verify(keys, signature):
    public, value = keys["sm2-sm3"].public_key, signature["sm2-sm3"]
    assert not verify("sm2-sm3", off_curve(public), MESSAGE, value)
    assert not verify("sm2-sm3", b"\x00" * 65, MESSAGE, value)
    assert not verify("sm2-sm3", b"\x04" + b"\x00" * 64, MESSAGE, value)
    # The stored form is the uncompressed point; the compressed one is read by parse_public_key.
    compressed = bytes([0x02 + (public[-1] & 1)]) + public[1:33]
    assert not verify("sm2-sm3", compressed, MESSAGE, value)
    assert verify("sm2-sm3", parse_public_key("sm2-sm3", compressed.hex()), MESSAGE, value)


def test_signing_refuses_a_private_key_of_the_wrong_size_or_range():
    for name in ALGORITHMS:
        with pytest.raises(SignatureFormatError) as short:
            sign(name, b"\x01" * 31, MESSAGE)
        assert short.value.reason == "length"
    for bad in (0, SM2_N - 1, SM2_N, 2**256 - 1):
        with pytest.raises(SignatureFormatError) as out_of_range:
            sign("sm2-sm3", scalar(bad), MESSAGE)
        assert out_of_range.value.reason == "range"
    with pytest.raises(SignatureFormatError) as unknown:
        generate_key("rsa")
    assert unknown.value.reason == "algorithm"


# -- key ids and encoding -----------------------------------------------------------------


def test_key_id_is_a_stable_fingerprint_of_algorithm_and_key(keys):
    public = keys["ed25519"].public_key
    expected = hashlib.sha256(b"ed25519\x00" + public).hexdigest()[:32]
    assert key_id("ed25519", public) == expected and len(expected) == 32
    assert key_id("ed25519", public) == key_id("ed25519", bytes(public))
    assert key_id("sm2-sm3", public) != expected
    assert key_id("ed25519", generate_key("ed25519").public_key) != expected


def test_encode_is_standard_padded_base64():
    assert encode(b"\xfb\xff") == "+/8="
    assert base64.b64decode(encode(bytes(range(256)))) == bytes(range(256))


# -- reading what people paste ------------------------------------------------------------


def spellings(raw: bytes) -> list[str]:
    b64 = encode(raw)
    return [b64, raw.hex(), raw.hex().upper(), f"  {b64}\n", "\n".join(b64[i : i + 16] for i in range(0, len(b64), 16))]


def test_public_keys_read_back_from_base64_and_hex(algorithm, keys):
    public = keys[algorithm].public_key
    for text in spellings(public):
        assert parse_public_key(algorithm, text) == public


def test_signatures_read_back_from_base64_and_hex(algorithm, signature):
    for text in spellings(signature[algorithm]):
        assert parse_signature(algorithm, text) == signature[algorithm]


def test_a_compressed_sm2_key_reads_as_the_uncompressed_point():
    for _ in range(4):  # both parities of y, most likely
        pair = generate_key("sm2-sm3")
        compressed = SM2(pc_mode=PC_MODE.COMPRESS).generate_pk(pair.private_key)
        assert compressed[0] == 0x02 + (pair.public_key[-1] & 1)
        assert parse_public_key("sm2-sm3", encode(compressed)) == pair.public_key
        assert parse_public_key("sm2-sm3", compressed.hex()) == pair.public_key


def test_an_ed25519_pem_key_reads_as_its_raw_bytes(keys):
    public = Ed25519PrivateKey.from_private_bytes(keys["ed25519"].private_key).public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert parse_public_key("ed25519", pem) == keys["ed25519"].public_key
    assert parse_public_key("ed25519", f"\n  {pem}\n") == keys["ed25519"].public_key


def test_a_der_sm2_signature_reads_as_r_and_s(keys):
    pair = keys["sm2-sm3"]
    # A signature whose r has its top bit set: DER writes r as 33 bytes with a leading zero.
    while True:
        value = sign("sm2-sm3", pair.private_key, MESSAGE)
        if value[0] & 0x80:
            break
    der = encode_dss_signature(int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big"))
    assert der[2:5] == b"\x02\x21\x00"
    for text in (encode(der), der.hex(), der.hex().upper()):
        parsed = parse_signature("sm2-sm3", text)
        assert parsed == value and verify("sm2-sm3", pair.public_key, MESSAGE, parsed)
    # Small integers are written short in DER and left-padded here.
    assert parse_signature("sm2-sm3", encode(encode_dss_signature(5, 2**255))) == scalar(5) + scalar(2**255)


def reason(call, *args) -> str:
    with pytest.raises(SignatureFormatError) as error:
        call(*args)
    assert str(error.value)  # a text for people as well as the code
    return error.value.reason


@pytest.mark.parametrize(
    "algorithm, text, code",
    [
        ("ed25519", "", "encoding"),
        ("ed25519", "not a key!", "encoding"),
        ("ed25519", "abc", "encoding"),  # odd hex, and not base64 either
        ("ed25519", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "encoding"),
        ("ed25519", encode(b"\x01" * 31), "length"),
        ("ed25519", (b"\x01" * 33).hex(), "length"),
        ("sm2-sm3", "zz" * 65, "encoding"),
        ("sm2-sm3", encode(b"\x04" * 64), "length"),
        ("sm2-sm3", encode(b"\x05" + b"\x01" * 64), "point_format"),
        ("sm2-sm3", encode(b"\x04" + b"\x00" * 64), "not_on_curve"),
        ("sm2-sm3", encode(b"\x04" + scalar(SM2_P) + scalar(1)), "not_on_curve"),
        ("sm2-sm3", encode(b"\x02" + scalar(SM2_P + 1)), "not_on_curve"),
        ("rsa", encode(b"\x01" * 32), "algorithm"),
    ],
)
def test_public_key_errors_have_a_reason(algorithm, text, code):
    assert reason(parse_public_key, algorithm, text) == code


SM2_B = h("28E9FA9E 9D9F5E34 4D5A9E4B CF6509A7 F39789F5 15AB8F92 DDBCBD41 4D940E93")  # the recommended curve's b


def test_sm2_public_key_errors_for_points_off_the_curve(keys):
    public = keys["sm2-sm3"].public_key
    assert reason(parse_public_key, "sm2-sm3", encode(off_curve(public))) == "not_on_curve"
    # An x for which x³ + ax + b is not a square: no point, compressed either way.
    x = next(x for x in range(1, 100) if pow((x**3 - 3 * x + SM2_B) % SM2_P, (SM2_P - 1) // 2, SM2_P) != 1)
    assert reason(parse_public_key, "sm2-sm3", encode(b"\x03" + scalar(x))) == "not_on_curve"


def test_a_pem_key_of_another_kind_is_refused():
    for key in (x25519.X25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())):
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        assert reason(parse_public_key, "ed25519", pem) == "key_type"


@pytest.mark.parametrize(
    "algorithm, text, code",
    [
        ("ed25519", "", "encoding"),
        ("ed25519", "@@@@", "encoding"),
        ("ed25519", encode(b"\x01" * 63), "length"),
        ("ed25519", (b"\x01" * 65).hex(), "length"),
        ("sm2-sm3", encode(b"\x01" * 63), "length"),
        ("sm2-sm3", encode(b"\x30\x06\x02\x01\x01\x02\x01"), "encoding"),  # truncated DER
        ("sm2-sm3", encode(b"\x30\x06\x02\x01\x81\x02\x01\x01"), "encoding"),  # negative r
        ("sm2-sm3", encode(encode_dss_signature(2**256, 1)), "length"),  # r of 33 significant bytes
        ("rsa", encode(b"\x01" * 64), "algorithm"),
    ],
)
def test_signature_errors_have_a_reason(algorithm, text, code):
    assert reason(parse_signature, algorithm, text) == code
