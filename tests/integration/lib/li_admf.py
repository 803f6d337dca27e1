#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A test ADMF for ETSI TS 103 221-1 (X1): one request POSTed to turnpike's
X1 door over HTTPS with mutual TLS (Python's ssl and http.client), the
request and the answer validated with xmlschema (a library that is not
libxml2, so not turnpike's own validator checking itself) against ETSI's
schemas in --xsd when that folder is there.

Usage: li_admf.py --host H --port P --ca CA [--cert C --key K] [--xsd DIR]
                  [--admf ID] [--ne ID] OP [XML-INSIDE-THE-MESSAGE]
Prints the answer's body. Exit 0: an HTTP answer came (its status on the
first line of stderr); 3: the connection gave no HTTP answer at all (closed,
reset, or the TLS handshake refused); 4: a document failed validation.
OP is the request type without "Request" (ActivateTask, ...).
"""
import argparse
import http.client
import os
import ssl
import sys
import uuid

NS = 'http://uri.etsi.org/03221/X1/2017/10'


def request(admf, ne, op, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<X1Request xmlns="{NS}" '
            'xmlns:etsi280="http://uri.etsi.org/03280/common/2017/07" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<x1RequestMessage xsi:type="{op}Request">'
            f'<admfIdentifier>{admf}</admfIdentifier><neIdentifier>{ne}</neIdentifier>'
            '<messageTimestamp>2026-11-30T10:00:00.000000Z</messageTimestamp>'
            '<version>v1.22.1</version>'
            f'<x1TransactionId>{uuid.uuid4()}</x1TransactionId>'
            f'{inner}</x1RequestMessage></X1Request>')


def schema(xsd):
    """ETSI's modules import one another without schemaLocation: give
    xmlschema every file with its namespace."""
    import xmlschema
    files = [os.path.join(xsd, f) for f in
             ('TS_103_280.xsd', 'TS_103_221_01_HashedID.xsd', 'TS_103_221_01.xsd')]
    return xmlschema.XMLSchema(files[-1], locations=[
        ('http://uri.etsi.org/03280/common/2017/07', files[0]),
        ('http://uri.etsi.org/03221/X1/2017/10/HashedID', files[1]),
        (NS, files[2])])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--ca', required=True)
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--xsd')
    p.add_argument('--admf', default='admf-1')
    p.add_argument('--ne', default='tp-li-test')
    p.add_argument('op')
    p.add_argument('inner', nargs='?', default='')
    a = p.parse_args()

    body = request(a.admf, a.ne, a.op, a.inner)
    xs = schema(a.xsd) if a.xsd and os.path.isdir(a.xsd) else None
    if xs is not None and not xs.is_valid(body):
        print(f'the request is not valid X1: {xs.validate(body)}', file=sys.stderr)
        return 4
    ctx = ssl.create_default_context(cafile=a.ca)
    ctx.check_hostname = False
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    c = http.client.HTTPSConnection(a.host, a.port, context=ctx, timeout=10)
    try:
        c.request('POST', '/', body=body.encode(),
                  headers={'Content-Type': 'application/xml'})
        r = c.getresponse()
        out = r.read().decode()
    except (ssl.SSLError, ConnectionError, http.client.HTTPException, OSError) as e:
        print(f'no answer: {type(e).__name__}: {e}', file=sys.stderr)
        return 3
    print(r.status, file=sys.stderr)
    sys.stdout.write(out)
    if xs is not None and out:
        try:
            xs.validate(out)
        except Exception as e:  # xmlschema's validation errors
            print(f'the answer is not valid X1: {e}', file=sys.stderr)
            return 4
    return 0


if __name__ == '__main__':
    sys.exit(main())
