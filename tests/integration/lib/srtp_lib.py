# SPDX-License-Identifier: BSD-3-Clause
# What srtp_peer.py and srtp_call.py share: rtp_probe.py's packets, and
# Debian's libsrtp2 through ctypes (the field's library, not dp's SRTP),
# suite AES_CM_128_HMAC_SHA1_80, or AEAD_AES_128_GCM / AEAD_AES_256_GCM
# (RFC 7714) by the key's length, any SSRC.
import base64, ctypes, hashlib, struct


def packet(tag, k):
    # rtp_probe.py's packet k of sender tag (kept in step with it)
    payload = hashlib.sha256(b"%d:%d" % (tag, k)).digest() * 5
    return struct.pack("!BBHII", 0x80, 0, k & 0xffff, (k * 160) & 0xffffffff,
                       0x7e570000 + tag) + payload


class Crypto(ctypes.Structure):
    _fields_ = [("cipher_type", ctypes.c_uint32), ("cipher_key_len", ctypes.c_int),
                ("auth_type", ctypes.c_uint32), ("auth_key_len", ctypes.c_int),
                ("auth_tag_len", ctypes.c_int), ("sec_serv", ctypes.c_int)]


class Policy(ctypes.Structure):
    pass


Policy._fields_ = [("ssrc_type", ctypes.c_int), ("ssrc_value", ctypes.c_uint),
                   ("rtp", Crypto), ("rtcp", Crypto), ("key", ctypes.c_char_p),
                   ("keys", ctypes.c_void_p), ("num_master_keys", ctypes.c_ulong),
                   ("deprecated_ekt", ctypes.c_void_p), ("window_size", ctypes.c_ulong),
                   ("allow_repeat_tx", ctypes.c_int), ("enc_xtn_hdr", ctypes.c_void_p),
                   ("enc_xtn_hdr_count", ctypes.c_int), ("next", ctypes.POINTER(Policy))]

_lib = None


def lib():
    """libsrtp2, loaded and initialised once."""
    global _lib
    if _lib is None:
        _lib = ctypes.CDLL("libsrtp2.so.1")
        if _lib.srtp_init() != 0:
            raise SystemExit("srtp_init failed")
    return _lib


def session(b64, inbound, ssrc=None, roc=0):
    """A session of the key b64 (RFC 4568's base64 of key||salt: 30 octets
    AES_CM_128_HMAC_SHA1_80, 28 AEAD_AES_128_GCM, 44 AEAD_AES_256_GCM), any
    SSRC inbound or outbound, a replay window of 128; with ssrc, that SSRC's
    stream only, its rollover counter starting at roc (a stream joined
    past a sequence number wrap: RFC 3711 section 3.3.1)."""
    # (RFC 4568 section 9.2's base64 may come without its padding:
    # rtpengine writes it so)
    key = base64.b64decode(b64 + "=" * (-len(b64) % 4))
    p = Policy()
    if len(key) == 30:
        lib().srtp_crypto_policy_set_rtp_default(ctypes.byref(p.rtp))
        lib().srtp_crypto_policy_set_rtcp_default(ctypes.byref(p.rtcp))
    elif len(key) in (28, 44):
        # RFC 7714 section 14.2: the SDES suites' 16-octet tag, SRTP and SRTCP
        pol = (lib().srtp_crypto_policy_set_aes_gcm_128_16_auth if len(key) == 28 else
               lib().srtp_crypto_policy_set_aes_gcm_256_16_auth)
        pol(ctypes.byref(p.rtp))
        pol(ctypes.byref(p.rtcp))
    else:
        raise SystemExit("a key||salt of AES_CM_128 is 30 octets, of AEAD_AES_128_GCM 28, "
                         "of AEAD_AES_256_GCM 44, not %d" % len(key))
    if ssrc is None:
        p.ssrc_type = 2 if inbound else 3   # ssrc_any_inbound, ssrc_any_outbound
    else:
        p.ssrc_type, p.ssrc_value = 1, ssrc  # ssrc_specific
    kb = ctypes.create_string_buffer(key, len(key))
    p.key = ctypes.cast(kb, ctypes.c_char_p)
    p.window_size = 128
    s = ctypes.c_void_p()
    rc = lib().srtp_create(ctypes.byref(s), ctypes.byref(p))
    if rc != 0:
        raise SystemExit("srtp_create: %d" % rc)
    if ssrc is not None and roc != 0:
        rc = lib().srtp_set_stream_roc(s, ctypes.c_uint32(ssrc), ctypes.c_uint32(roc))
        if rc != 0:
            raise SystemExit("srtp_set_stream_roc: %d" % rc)
    return s


def run(fn, s, data):
    """fn (srtp_protect, srtp_unprotect, ..._rtcp) over data: (rc, bytes)."""
    buf = ctypes.create_string_buffer(bytes(data), len(data) + 64)
    n = ctypes.c_int(len(data))
    rc = fn(s, buf, ctypes.byref(n))
    return rc, buf.raw[:n.value]
