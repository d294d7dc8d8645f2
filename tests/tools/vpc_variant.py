#!/usr/bin/env python3
"""Copies a folder written by bw-genvpc and changes one thing in it, for
tests/netns/nftobj.sh:

    vpc_variant.py SRC DST rule|add|del|groups|acl

rule    one IPv4 ingress permission of a group widens its ports by one
add     an instance joins (one group, its own addresses and MAC)
del     the last instance goes
groups  an instance leaves one of its groups
acl     an ACL entry flips between allow and deny
"""
import json
import os
import shutil
import sys


def main():
    src, dst, kind = sys.argv[1:4]
    shutil.copytree(src, dst)

    def path(name):
        return os.path.join(dst, name)

    def edit(name, change):
        with open(path(name)) as f:
            doc = json.load(f)
        change(doc)
        with open(path(name), 'w') as f:
            json.dump(doc, f)

    def rule(doc):
        for group in doc['SecurityGroups'][3:]:
            for perm in group['IpPermissions']:
                if perm.get('FromPort', -1) > 0 and perm['IpRanges']:
                    perm['FromPort'] -= 1
                    return
        raise SystemExit('no permission to widen')

    def add(doc):
        res = json.loads(json.dumps(doc['Reservations'][0]))
        inst = res['Instances'][0]
        eni = inst['NetworkInterfaces'][0]
        inst['InstanceId'] = 'i-0000000000000fff0'
        eni['NetworkInterfaceId'] = 'eni-0000000000000fff0'
        inst['PrivateIpAddress'] = eni['PrivateIpAddress'] = '10.1.3.250'
        eni['PrivateIpAddresses'] = [{'PrivateIpAddress': '10.1.3.250', 'Primary': True}]
        eni['Ipv6Addresses'] = [{'Ipv6Address': '2001:db8:100::3:fa'}]
        eni['MacAddress'] = '0a:ff:00:00:0f:f0'
        eni['Groups'] = eni['Groups'][:1]
        doc['Reservations'].append(res)

    def delete(doc):
        doc['Reservations'].pop()

    def groups(doc):
        doc['Reservations'][1]['Instances'][0]['NetworkInterfaces'][0]['Groups'].pop()

    def acl(doc):
        entries = doc['NetworkAcls'][1]['Entries']
        entry = [e for e in entries if e['RuleNumber'] < 32767][0]
        entry['RuleAction'] = 'deny' if entry['RuleAction'] == 'allow' else 'allow'

    changes = {
        'rule': ('security-groups.json', rule),
        'add': ('instances.json', add),
        'del': ('instances.json', delete),
        'groups': ('instances.json', groups),
        'acl': ('network-acls.json', acl),
    }
    name, change = changes[kind]
    edit(name, change)


if __name__ == '__main__':
    main()
