#!/usr/bin/env python3
"""A test IMDS (IMDSv2) and EC2 Query API endpoint, for bulwark's tests.

One process, two listeners: IMDS over plain HTTP, EC2 over HTTPS with a
certificate the test made. The EC2 side checks each request's SigV4
signature against the test credentials in the model, answers the actions
`nat up` uses in the XML the EC2 API reference shows, records every call
(one JSON line each) and can be told to fail: faults.json holds, per EC2
action or IMDS path, a queue of faults the next requests take, one each.

    fake_ec2.py --model model.json --faults faults.json --log calls.log \
        --imds-port 80 --ec2-port 443 --cert server.pem --key server.key \
        --ready ready.file

model.json: {"instance_id", "region", "mac", "primary_eni", "account",
  "keys": {"AKID": "secret"}, "role": {"name", "AccessKeyId", "SecretAccessKey", "Token"} | null,
  "enis": {"eni-…": {"mac", "subnet", "vpc", "ip", "attached_to": "i-…" | null,
           "on_attach": "shell command run when attached" | null}},
  "addresses": {"eipalloc-…": {"public_ip", "association": null}},
  "vpc_dir": "an --aws folder (the AWS CLI's describe-* output)" | absent,
  "page_size": the most items a describe-* page holds (default 1000),
  "iam_allow": ["Action", …] (optional: any other action is refused with
  UnauthorizedOperation, as an IAM policy granting only these would)}
The describe-* actions fw sync calls (DescribeVpcs, DescribeSubnets,
DescribeSecurityGroups, DescribeNetworkAcls, DescribeInstances,
DescribeNetworkInterfaces without ids, GetManagedPrefixListEntries) answer
from vpc_dir's JSON turned back into EC2's XML, filtered by vpc-id
(Filter.N.Name/Value.M) and paginated with NextToken and MaxResults;
AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress change
vpc_dir/security-groups.json. A fault "ok" lets one request through.
faults: InUse, IncorrectState, Throttle (503 RequestLimitExceeded), 500
  (a bare HTTP 500), malformed (HTTP 200, broken XML), drop (the connection
  closed without a reply), AuthFailure, lost-reply (done, then the connection
  closed without a reply), multiline (a Message with a newline, a tab and 2000
  more bytes), hang (no reply until the client gives up: a timeout; bulwark's
  tests shorten its wait with BULWARK_EC2_TRY_TIMEOUT_MS); for IMDS paths:
  500, 404, drop, slow (a 500 after 3 s, past bulwark's 2 s per try), 401
  (every token expires).
"""
import argparse
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import socketserver
import ssl
import subprocess
import threading
import time
import urllib.parse
import uuid
from xml.sax.saxutils import escape

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
LOCK = threading.Lock()
ARGS = None
TOKENS = set()


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def take_fault(kind, key):
    """The next fault queued for key (an action or an IMDS path), or None."""
    if not ARGS.faults or not os.path.exists(ARGS.faults):
        return None
    faults = load(ARGS.faults)
    queue = faults.get(kind, {}).get(key, [])
    if not queue:
        return None
    fault = queue.pop(0)
    save(ARGS.faults, faults)
    return fault


def record(entry):
    with open(ARGS.log, "a") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")


# ---- SigV4 --------------------------------------------------------------

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9]+)/aws4_request,"
    r"\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$")


def hmac_sha256(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def check_sigv4(method, path, headers, body, model):
    """None when the signature is right, else why not."""
    auth = headers.get("Authorization")
    if not auth:
        return "no Authorization header"
    m = AUTH_RE.match(auth)
    if not m:
        return "malformed Authorization header"
    akid, date, region, service, signed, signature = m.groups()
    secret = model.get("keys", {}).get(akid)
    role = model.get("role")
    if secret is None and role and role.get("AccessKeyId") == akid:
        secret = role["SecretAccessKey"]
        if headers.get("X-Amz-Security-Token") != role.get("Token"):
            return "missing or wrong X-Amz-Security-Token for a role's key"
    if secret is None:
        return "unknown access key"
    if region != model["region"] or service != "ec2":
        return "credential scope %s/%s, not %s/ec2" % (region, service, model["region"])
    amz_date = headers.get("X-Amz-Date", "")
    if not amz_date.startswith(date):
        return "X-Amz-Date does not match the credential scope date"
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900:
        return "X-Amz-Date more than 15 minutes off"
    names = signed.split(";")
    if "host" not in names or names != sorted(names):
        return "SignedHeaders must be sorted and include host"
    canon_headers = ""
    for name in names:
        value = headers.get(name)
        if value is None:
            return "signed header %s is missing" % name
        canon_headers += "%s:%s\n" % (name, " ".join(value.split()))
    parsed = urllib.parse.urlsplit(path)
    query = "&".join(sorted(parsed.query.split("&"))) if parsed.query else ""
    canonical = "\n".join([method, parsed.path or "/", query, canon_headers, signed,
                           hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = hmac_sha256(("AWS4" + secret).encode(), date)
    key = hmac_sha256(key, region)
    key = hmac_sha256(key, service)
    key = hmac_sha256(key, "aws4_request")
    want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature):
        return "signature does not match"
    return None


# ---- EC2 replies ----------------------------------------------------------

def response(action, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">\n'
            '    <requestId>%s</requestId>\n%s</%sResponse>\n'
            % (action, NS, uuid.uuid4(), inner, action)).encode()


def error(code, message, status=400):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code>'
            '<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>\n'
            % (escape(code), escape(message), uuid.uuid4())).encode()
    return status, body


def eni_item(eni_id, eni, model):
    att = ""
    if eni.get("attached_to"):
        att = ("            <attachment>\n"
               "                <attachmentId>%s</attachmentId>\n"
               "                <instanceId>%s</instanceId>\n"
               "                <instanceOwnerId>%s</instanceOwnerId>\n"
               "                <deviceIndex>%d</deviceIndex>\n"
               "                <status>attached</status>\n"
               "                <attachTime>2026-11-23T05:00:00.000Z</attachTime>\n"
               "                <deleteOnTermination>false</deleteOnTermination>\n"
               "                <networkCardIndex>0</networkCardIndex>\n"
               "            </attachment>\n"
               % (eni.get("attachment_id", "eni-attach-0123456789abcdef0"), eni["attached_to"],
                  model["account"], eni.get("device_index", 1)))
    return ("        <item>\n"
            "            <networkInterfaceId>%s</networkInterfaceId>\n"
            "            <subnetId>%s</subnetId>\n"
            "            <vpcId>%s</vpcId>\n"
            "            <availabilityZone>%sa</availabilityZone>\n"
            "            <description/>\n"
            "            <ownerId>%s</ownerId>\n"
            "            <requesterManaged>false</requesterManaged>\n"
            "            <status>%s</status>\n"
            "            <macAddress>%s</macAddress>\n"
            "            <privateIpAddress>%s</privateIpAddress>\n"
            "            <sourceDestCheck>%s</sourceDestCheck>\n"
            "            <interfaceType>interface</interfaceType>\n"
            "            <groupSet/>\n"
            "%s"
            "            <tagSet/>\n"
            "            <privateIpAddressesSet>\n"
            "                <item>\n"
            "                    <privateIpAddress>%s</privateIpAddress>\n"
            "                    <primary>true</primary>\n"
            "                </item>\n"
            "            </privateIpAddressesSet>\n"
            "            <ipv6AddressesSet/>\n"
            "        </item>\n"
            % (eni_id, eni["subnet"], eni["vpc"], model["region"], model["account"],
               "in-use" if eni.get("attached_to") else "available", eni["mac"], eni["ip"],
               "true" if eni.get("source_dest_check", True) else "false", att, eni["ip"]))


def refused_by_iam(action, model):
    """An UnauthorizedOperation reply when model's iam_allow leaves action out."""
    allow = model.get("iam_allow")
    if allow is None or action in allow:
        return None
    return error("UnauthorizedOperation",
                 "You are not authorized to perform this operation. User is not "
                 "authorized to perform: ec2:%s" % action, 403)


def numbered(params, prefix):
    out = []
    i = 1
    while "%s.%d" % (prefix, i) in params:
        out.append(params["%s.%d" % (prefix, i)])
        i += 1
    return out


# ---- describe-* from an --aws folder ---------------------------------------

# The AWS CLI's key -> EC2's element, where it is not the key with its
# first letter lowered (the EC2 API model's locationName).
XML_NAMES = {
    "UserIdGroupPairs": "groups", "Tags": "tagSet", "TagSet": "tagSet", "Groups": "groupSet",
    "Associations": "associationSet", "Entries": "entrySet", "Reservations": "reservationSet",
    "Instances": "instancesSet", "NetworkInterfaces": "networkInterfaceSet",
    "PrivateIpAddresses": "privateIpAddressesSet", "Ipv6Addresses": "ipv6AddressesSet",
    "Ipv4Prefixes": "ipv4PrefixSet", "Ipv6Prefixes": "ipv6PrefixSet", "Vpcs": "vpcSet",
    "Subnets": "subnetSet", "NetworkAcls": "networkAclSet",
    "SecurityGroups": "securityGroupInfo",
}
# Where the same key has another element in one kind of object.
XML_NAMES_IN = {
    ("SecurityGroup", "Description"): "groupDescription",
    ("Instance", "SecurityGroups"): "groupSet",
    ("Instance", "State"): "instanceState",
    ("NetworkAcl", "IsDefault"): "default",
}
# What kind of object a list's items are, for XML_NAMES_IN.
ITEM_KIND = {"SecurityGroups": "SecurityGroup", "Instances": "Instance",
             "NetworkAcls": "NetworkAcl"}
DESCRIBE = {  # action: (file, list key, MaxResults range)
    "DescribeVpcs": ("vpcs.json", "Vpcs", (5, 1000)),
    "DescribeSubnets": ("subnets.json", "Subnets", (5, 1000)),
    "DescribeSecurityGroups": ("security-groups.json", "SecurityGroups", (5, 1000)),
    "DescribeNetworkAcls": ("network-acls.json", "NetworkAcls", (5, 1000)),
    "DescribeInstances": ("instances.json", "Reservations", (5, 1000)),
    "DescribeNetworkInterfaces": ("network-interfaces.json", "NetworkInterfaces", (5, 1000)),
}


def to_xml(value, name, kind, indent):
    pad = "    " * indent
    if isinstance(value, list):
        if not value:
            return "%s<%s/>\n" % (pad, name)
        return "%s<%s>\n%s%s</%s>\n" % (pad, name, "".join(
            to_xml(v, "item", ITEM_KIND.get(kind), indent + 1) for v in value), pad, name)
    if isinstance(value, dict):
        inner = ""
        for k, v in value.items():
            inner += to_xml(v, XML_NAMES_IN.get((kind, k), XML_NAMES.get(k, k[0].lower() + k[1:])),
                            k, indent + 1)
        return "%s<%s>\n%s%s</%s>\n" % (pad, name, inner, pad, name)
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = escape(str(value))
    return "%s<%s>%s</%s>\n" % (pad, name, text, name)


def vpc_filter(p):
    """The VPC ids Filter.N asks for, or None for any."""
    for i in range(1, 50):
        if p.get("Filter.%d.Name" % i) == "vpc-id":
            return set(numbered(p, "Filter.%d.Value" % i))
    return None


def page_of(items, p, lo_hi, model):
    """(the items of this page, the next token or None), or an error."""
    size = int(model.get("page_size", 1000))
    if "MaxResults" in p:
        mr = int(p["MaxResults"])
        if not lo_hi[0] <= mr <= lo_hi[1]:
            return None, error("InvalidParameterValue",
                               "Value ( %d ) for parameter maxResults is invalid. Expecting a "
                               "value between %d and %d." % (mr, lo_hi[0], lo_hi[1]))
        size = min(size, mr)
    start = 0
    if p.get("NextToken"):
        m = re.match(r"^fake-token-(\d+)$", p["NextToken"])
        if not m:
            return None, error("InvalidNextToken", "The token '%s' is invalid."
                               % p["NextToken"])
        start = int(m.group(1))
    end = start + size
    return (items[start:end], "fake-token-%d" % end if end < len(items) else None), None


def describe(action, p, model):
    vpc_dir = model["vpc_dir"]
    if action == "GetManagedPrefixListEntries":
        pl = p.get("PrefixListId", "")
        path = os.path.join(vpc_dir, "prefix-lists", pl + ".json")
        if not re.match(r"^pl-[0-9a-f]+$", pl) or not os.path.exists(path):
            return error("InvalidPrefixListID.NotFound",
                         "The prefix list ID '%s' does not exist" % pl)
        key, lo_hi, items = "Entries", (1, 100), load(path)["Entries"]
    else:
        name, key, lo_hi = DESCRIBE[action]
        path = os.path.join(vpc_dir, name)
        items = load(path)[key] if os.path.exists(path) else []
        vpcs = vpc_filter(p)
        if vpcs is not None and action == "DescribeInstances":
            kept = []
            for r in items:
                r = dict(r, Instances=[i for i in r["Instances"] if i.get("VpcId") in vpcs])
                if r["Instances"]:
                    kept.append(r)
            items = kept
        elif vpcs is not None:
            items = [i for i in items if i.get("VpcId") in vpcs]
    got, err = page_of(items, p, lo_hi, model)
    if err:
        return err
    items, token = got
    inner = to_xml(items, XML_NAMES.get(key, key), key, 1)
    if token:
        inner += "    <nextToken>%s</nextToken>\n" % token
    return 200, response(action, inner)


def edit_group(action, p, model):
    path = os.path.join(model["vpc_dir"], "security-groups.json")
    doc = load(path)
    group = next((g for g in doc["SecurityGroups"] if g["GroupId"] == p.get("GroupId")), None)
    if group is None:
        return error("InvalidGroup.NotFound",
                     "The security group '%s' does not exist" % p.get("GroupId"))
    perms = group.setdefault("IpPermissions", [])
    i = 1
    while "IpPermissions.%d.IpProtocol" % i in p:
        q = "IpPermissions.%d." % i
        perm = {"IpProtocol": p[q + "IpProtocol"]}
        if q + "FromPort" in p:
            perm["FromPort"] = int(p[q + "FromPort"])
            perm["ToPort"] = int(p[q + "ToPort"])
        perm["IpRanges"] = [{"CidrIp": c} for c in numbered(p, q + "IpRanges") or
                            [p[k] for k in sorted(p) if k.startswith(q + "IpRanges.")
                             and k.endswith(".CidrIp")]]
        if action.startswith("Authorize"):
            perms.append(perm)
        elif perm in perms:
            perms.remove(perm)
        else:
            return error("InvalidPermission.NotFound",
                         "The specified rule does not exist in this security group.")
        i += 1
    save(path, doc)
    return 200, response(action, "    <return>true</return>\n")


def act(action, p, model):
    """(status, body) for one action; changes model."""
    enis = model["enis"]
    if model.get("vpc_dir") and (
            action in ("GetManagedPrefixListEntries", "DescribeVpcs", "DescribeSubnets",
                       "DescribeSecurityGroups", "DescribeNetworkAcls", "DescribeInstances")
            or (action == "DescribeNetworkInterfaces" and "NetworkInterfaceId.1" not in p)):
        return describe(action, p, model)
    if model.get("vpc_dir") and action in ("AuthorizeSecurityGroupIngress",
                                           "RevokeSecurityGroupIngress"):
        return edit_group(action, p, model)
    if action == "DescribeNetworkInterfaces":
        ids = numbered(p, "NetworkInterfaceId")
        for i in ids:
            if i not in enis:
                return error("InvalidNetworkInterfaceID.NotFound",
                             "The networkInterface ID '%s' does not exist" % i)
        items = "".join(eni_item(i, enis[i], model) for i in (ids or sorted(enis)))
        return 200, response(action, "    <networkInterfaceSet>\n%s    </networkInterfaceSet>\n"
                             % items)
    if action == "ModifyNetworkInterfaceAttribute":
        eni = enis.get(p.get("NetworkInterfaceId"))
        if eni is None:
            return error("InvalidNetworkInterfaceID.NotFound",
                         "The networkInterface ID '%s' does not exist"
                         % p.get("NetworkInterfaceId"))
        if "SourceDestCheck.Value" in p:
            eni["source_dest_check"] = p["SourceDestCheck.Value"] == "true"
        return 200, response(action, "    <return>true</return>\n")
    if action == "AttachNetworkInterface":
        eni_id = p.get("NetworkInterfaceId")
        eni = enis.get(eni_id)
        if eni is None:
            return error("InvalidNetworkInterfaceID.NotFound",
                         "The networkInterface ID '%s' does not exist" % eni_id)
        if p.get("InstanceId") != model["instance_id"]:
            return error("InvalidInstanceID.NotFound",
                         "The instance ID '%s' does not exist" % p.get("InstanceId"))
        if eni.get("attached_to"):
            return error("InvalidNetworkInterface.InUse", "Interface: [%s] in use." % eni_id)
        if eni.get("on_attach"):
            subprocess.run(eni["on_attach"], shell=True, check=True)
        eni["attached_to"] = model["instance_id"]
        eni["device_index"] = int(p.get("DeviceIndex", "1"))
        eni["attachment_id"] = "eni-attach-%s" % uuid.uuid4().hex[:17]
        return 200, response(action, "    <attachmentId>%s</attachmentId>\n"
                             "    <networkCardIndex>0</networkCardIndex>\n"
                             % eni["attachment_id"])
    if action == "AssociateAddress":
        alloc = model["addresses"].get(p.get("AllocationId"))
        if alloc is None:
            return error("InvalidAllocationID.NotFound",
                         "The allocation ID '%s' does not exist" % p.get("AllocationId"))
        if alloc.get("association") and p.get("AllowReassociation") != "true":
            return error("Resource.AlreadyAssociated",
                         "resource %s is already associated" % p.get("AllocationId"))
        alloc["association"] = "eipassoc-%s" % uuid.uuid4().hex[:17]
        alloc["network_interface"] = p.get("NetworkInterfaceId")
        return 200, response(action, "    <return>true</return>\n"
                             "    <associationId>%s</associationId>\n" % alloc["association"])
    if action == "DescribeAddresses":
        items = ""
        for alloc_id in sorted(model["addresses"]):
            a = model["addresses"][alloc_id]
            extra = ""
            if a.get("association"):
                extra = ("            <associationId>%s</associationId>\n"
                         "            <networkInterfaceId>%s</networkInterfaceId>\n"
                         % (a["association"], a["network_interface"]))
            items += ("        <item>\n            <publicIp>%s</publicIp>\n"
                      "            <allocationId>%s</allocationId>\n"
                      "            <domain>vpc</domain>\n%s        </item>\n"
                      % (a["public_ip"], alloc_id, extra))
        return 200, response(action, "    <addressesSet>\n%s    </addressesSet>\n" % items)
    return error("InvalidAction", "The action %s is not valid for this web service." % action)


class Ec2Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/xml;charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        action = params.get("Action", "")
        with LOCK:
            model = load(ARGS.model)
            why = check_sigv4("POST", self.path, self.headers, body, model)
            entry = {"action": action, "signed": why is None,
                     "params": {k: v for k, v in params.items()
                                if k not in ("Action", "Version")},
                     "user_agent": self.headers.get("User-Agent", "")}
            if why:
                entry["why"] = why
            m = AUTH_RE.match(self.headers.get("Authorization", ""))
            if m:
                entry["akid"] = m.group(1)  # which key signed it (never a secret)
            record(entry)
            if why:
                self.reply(*error("SignatureDoesNotMatch", why, 403))
                return
            refused = refused_by_iam(action, model)
            if refused:
                self.reply(*refused)
                return
            fault = take_fault("ec2", action)
            if fault != "hang":
                answer = self.answer(fault, action, params, model)
        if fault == "hang":
            self.hang()
        elif answer:
            self.reply(*answer)

    def hang(self):
        """No reply until the client gives up (closes) or a minute passes."""
        self.close_connection = True
        self.connection.settimeout(60)
        try:
            while self.connection.recv(1):
                pass
        except (OSError, ssl.SSLError):
            pass

    def answer(self, fault, action, params, model):
        """(status, body) to send after the lock, or None when done here."""
        if fault == "lost-reply":
            act(action, params, model)
            save(ARGS.model, model)
            fault = "drop"
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if fault == "500":
            self.reply(500, b"internal error\n", "text/plain")
            return None
        if fault == "malformed":
            self.reply(200, b"<%sResponse><requestId>x</requestId><broken>" % action.encode())
            return None
        if fault == "Throttle":
            return error("RequestLimitExceeded", "Request limit exceeded.", 503)
        if fault == "InUse":
            return error("InvalidNetworkInterface.InUse",
                         "Interface: [%s] in use." % params.get("NetworkInterfaceId"))
        if fault == "IncorrectState":
            return error("IncorrectState", "The interface is being detached.")
        if fault == "multiline":
            return error("Odd.Code", "line one\nline two\tthree " + "x" * 2000)
        if fault == "AuthFailure":
            return error("UnauthorizedOperation",
                         "You are not authorized to perform this operation.", 403)
        status, reply = act(action, params, model)
        save(ARGS.model, model)
        return status, reply


class ImdsHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, text, content_type="text/plain"):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fault(self):
        with LOCK:
            record({"imds": self.command + " " + self.path})
            fault = take_fault("imds", self.path)
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if fault == "slow":
            time.sleep(3)
            self.reply(500, "slow\n")
            return True
        if fault == "401":
            TOKENS.clear()
            self.reply(401, "Unauthorized\n")
            return True
        if fault in ("500", "404"):
            self.reply(int(fault), "fault\n")
            return True
        return False

    def do_PUT(self):
        if self.fault():
            return
        if self.path != "/latest/api/token":
            self.reply(403, "Forbidden\n")
            return
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            self.reply(400, "Bad Request\n")
            return
        token = "AQAEA" + uuid.uuid4().hex
        TOKENS.add(token)
        self.reply(200, token)

    def do_GET(self):
        if self.fault():
            return
        if self.headers.get("X-aws-ec2-metadata-token") not in TOKENS:
            self.reply(401, "Unauthorized\n")
            return
        model = load(ARGS.model)
        meta = "/latest/meta-data/"
        if not self.path.startswith(meta):
            self.reply(404, "Not Found\n")
            return
        path = self.path[len(meta):]
        answers = {
            "instance-id": model["instance_id"],
            "placement/region": model["region"],
            "placement/availability-zone": model["region"] + "a",
            "mac": model["mac"],
        }
        for eni_id, eni in model["enis"].items():
            if eni.get("attached_to") == model["instance_id"] or eni["mac"] == model["mac"]:
                answers["network/interfaces/macs/%s/interface-id" % eni["mac"]] = eni_id
                answers["network/interfaces/macs/%s/vpc-id" % eni["mac"]] = eni["vpc"]
        answers["network/interfaces/macs/"] = "".join(
            "%s/\n" % m for m in sorted({model["mac"]} | {
                e["mac"] for e in model["enis"].values()
                if e.get("attached_to") == model["instance_id"]}))
        role = model.get("role")
        if role:
            answers["iam/security-credentials/"] = role["name"]
            answers["iam/security-credentials/" + role["name"]] = json.dumps({
                "Code": "Success", "LastUpdated": "2026-11-23T05:00:00Z", "Type": "AWS-HMAC",
                "AccessKeyId": role["AccessKeyId"], "SecretAccessKey": role["SecretAccessKey"],
                "Token": role["Token"], "Expiration": "2099-01-01T00:00:00Z"}, indent=2)
        # IMDS answers a leaf asked with a trailing slash too (the AWS CLI
        # asks for placement/availability-zone/ to learn the region).
        leaf = path[:-1]
        if path not in answers and path.endswith("/") and not leaf.endswith("/"):
            path = leaf
        if path in answers:
            self.reply(200, answers[path])
        else:
            self.reply(404, "Not Found\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--faults")
    ap.add_argument("--log", required=True)
    ap.add_argument("--address", default="0.0.0.0")
    ap.add_argument("--imds-port", type=int, default=80)
    ap.add_argument("--ec2-port", type=int, default=443)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ready", required=True)
    ARGS = ap.parse_args()
    imds = Server((ARGS.address, ARGS.imds_port), ImdsHandler)
    ec2 = Server((ARGS.address, ARGS.ec2_port), Ec2Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    ec2.socket = ctx.wrap_socket(ec2.socket, server_side=True)
    threading.Thread(target=imds.serve_forever, daemon=True).start()
    with open(ARGS.ready, "w") as f:
        f.write("%d %d\n" % (imds.server_address[1], ec2.server_address[1]))
    ec2.serve_forever()


if __name__ == "__main__":
    main()
