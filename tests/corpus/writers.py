"""Byte-level writers for the media test corpus.

Everything here is plain Python (no third-party modules) so the exact bytes that end up in
the corpus are decided by this file: a small TIFF/EXIF serialiser (IFD0, Exif IFD, GPS IFD,
SubIFDs, strip data), an XMP packet builder, JPEG segment surgery, the Apple maker note that
carries a Live Photo's ContentIdentifier, a DNG with a JPEG preview in IFD0 and the raw in a
SubIFD, and the deliberately broken files of edge/ (decompression bombs, fake RAWs).
"""

import struct
import zlib
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, SLONG, SRATIONAL = 1, 2, 3, 4, 5, 7, 9, 10
_SIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SLONG: 4, SRATIONAL: 8}


class Blob:
    """Out-of-line data (strip/tile bytes) referenced by an offset tag."""

    def __init__(self, data):
        self.data = bytes(data)


class IFD:
    """One TIFF image file directory: tag -> (type, value).

    value forms: ASCII str; BYTE/UNDEFINED bytes; SHORT/LONG/SLONG int or list of int;
    RATIONAL/SRATIONAL (num, den) or list of them; LONG with an IFD (or list of IFDs) for a
    pointer to a sub-directory; LONG with a Blob (or list) for a pointer to data.
    """

    def __init__(self, entries=None):
        self.entries = {}
        for tag, (typ, val) in (entries or {}).items():
            self.set(tag, typ, val)

    def set(self, tag, typ, value):
        self.entries[tag] = (typ, value)
        return self

    def __contains__(self, tag):
        return tag in self.entries

    def __len__(self):
        return len(self.entries)


def rational(x, max_den=1000000):
    """A float, int, Fraction, 'a/b' string or (n, d) pair as an unsigned (n, d)."""
    if isinstance(x, tuple):
        return x
    if isinstance(x, str) and "/" in x:
        n, d = x.split("/")
        return (int(n), int(d))
    f = Fraction(x).limit_denominator(max_den)
    return (f.numerator, f.denominator)


def _encode(bo, typ, val):
    if typ == ASCII:
        data = val.encode("utf-8") + b"\0"
        return data, len(data)
    if typ in (BYTE, UNDEFINED):
        return bytes(val), len(val)
    if typ in (RATIONAL, SRATIONAL):
        vals = val if isinstance(val, list) else [val]  # a (num, den) tuple is one value
        fmt = bo + ("II" if typ == RATIONAL else "ii")
        return b"".join(struct.pack(fmt, *rational(v)) for v in vals), len(vals)
    vals = list(val) if isinstance(val, (list, tuple)) else [val]
    fmt = bo + {SHORT: "H", LONG: "I", SLONG: "i"}[typ]
    return b"".join(struct.pack(fmt, v) for v in vals), len(vals)


def build_tiff(ifd0, byte_order="MM", next_ifds=(), magic=42, header_extra=b""):
    """Serialise a TIFF stream starting with ifd0; next_ifds are chained after it (IFD1...)."""
    bo = ">" if byte_order == "MM" else "<"
    buf = bytearray(byte_order.encode() + struct.pack(bo + "H", magic) + b"\0\0\0\0" + header_extra)

    def align():
        if len(buf) % 2:
            buf.append(0)

    def write_ifd(ifd):
        align()
        start = len(buf)
        items = sorted(ifd.entries.items())
        buf.extend(struct.pack(bo + "H", len(items)))
        table = len(buf)
        buf.extend(b"\0" * (12 * len(items)))
        next_ptr = len(buf)
        buf.extend(b"\0\0\0\0")
        later = []  # (entry position, list of IFD|Blob)
        for i, (tag, (typ, val)) in enumerate(items):
            pos = table + 12 * i
            refs = val if isinstance(val, list) and val and isinstance(val[0], (IFD, Blob)) else (
                [val] if isinstance(val, (IFD, Blob)) else None)
            if refs is not None:
                struct.pack_into(bo + "HHI", buf, pos, tag, LONG, len(refs))
                if len(refs) == 1:
                    later.append((pos + 8, refs))
                else:
                    align()
                    arr = len(buf)
                    buf.extend(b"\0" * (4 * len(refs)))
                    struct.pack_into(bo + "I", buf, pos + 8, arr)
                    later.append((arr, refs))
                continue
            data, count = _encode(bo, typ, val)
            struct.pack_into(bo + "HHI", buf, pos, tag, typ, count)
            if len(data) <= 4:
                buf[pos + 8:pos + 12] = data.ljust(4, b"\0")
            else:
                align()
                struct.pack_into(bo + "I", buf, pos + 8, len(buf))
                buf.extend(data)
        for where, refs in later:
            for j, ref in enumerate(refs):
                if isinstance(ref, IFD):
                    off = write_ifd(ref)[0]
                else:
                    align()
                    off = len(buf)
                    buf.extend(ref.data)
                struct.pack_into(bo + "I", buf, where + 4 * j, off)
        return start, next_ptr

    first, ptr = write_ifd(ifd0)
    struct.pack_into(bo + "I", buf, 4, first)
    for nxt in next_ifds:
        off, new_ptr = write_ifd(nxt)
        struct.pack_into(bo + "I", buf, ptr, off)
        ptr = new_ptr
    return bytes(buf)


# --------------------------------------------------------------------------------------------
# EXIF from the manifest vocabulary

TAG = dict(
    ImageDescription=0x010E, Make=0x010F, Model=0x0110, Orientation=0x0112, XResolution=0x011A,
    YResolution=0x011B, ResolutionUnit=0x0128, Software=0x0131, DateTime=0x0132,
    ExifIFD=0x8769, GPSIFD=0x8825, ExposureTime=0x829A, FNumber=0x829D, ISO=0x8827,
    ExifVersion=0x9000, DateTimeOriginal=0x9003, DateTimeDigitized=0x9004, OffsetTime=0x9010,
    OffsetTimeOriginal=0x9011, OffsetTimeDigitized=0x9012, Flash=0x9209, FocalLength=0x920A,
    MakerNote=0x927C, SubSecTime=0x9290, SubSecTimeOriginal=0x9291, SubSecTimeDigitized=0x9292,
    PixelXDimension=0xA002, PixelYDimension=0xA003, LensMake=0xA433, LensModel=0xA434,
)


def exif_date(iso):
    """'2021-08-15T14:30:45.123' -> ('2021:08:15 14:30:45', '123' or None)."""
    date, _, time = iso.partition("T")
    sub = None
    if "." in time:
        time, sub = time.split(".", 1)
    return date.replace("-", ":") + " " + time, sub


def _dms(value):
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = round(((v - d) * 60 - m) * 60 * 10000)
    return [(d, 1), (m, 1), (s, 10000)]


def exif_ifds(meta, width=None, height=None, maker_note=None):
    """Build IFD0 (+ Exif IFD, GPS IFD) from a manifest-style dict.

    Understood keys: make, model, lens, lens_make, orientation, taken + taken_source 'exif'
    (+ offset, taken_field 'DateTimeOriginal'|'DateTimeDigitized'), focal_length, aperture,
    exposure ('1/250' or seconds), iso, flash, gps {lat, lon, alt}, exif_description.
    """
    ifd0 = IFD()
    exif = IFD({TAG["ExifVersion"]: (UNDEFINED, b"0232")})
    if meta.get("make"):
        ifd0.set(TAG["Make"], ASCII, meta["make"])
    if meta.get("model"):
        ifd0.set(TAG["Model"], ASCII, meta["model"])
    if meta.get("exif_description"):
        ifd0.set(TAG["ImageDescription"], ASCII, meta["exif_description"])
    ifd0.set(TAG["Orientation"], SHORT, meta.get("orientation", 1))
    ifd0.set(TAG["XResolution"], RATIONAL, (72, 1))
    ifd0.set(TAG["YResolution"], RATIONAL, (72, 1))
    ifd0.set(TAG["ResolutionUnit"], SHORT, 2)
    if meta.get("taken_source") == "exif" and meta.get("taken"):
        dt, sub = exif_date(meta["taken"])
        field = meta.get("taken_field", "DateTimeOriginal")
        if field == "DateTimeOriginal":
            exif.set(TAG["DateTimeOriginal"], ASCII, dt)
            if sub:
                exif.set(TAG["SubSecTimeOriginal"], ASCII, sub)
            if meta.get("offset"):
                exif.set(TAG["OffsetTimeOriginal"], ASCII, meta["offset"])
        exif.set(TAG["DateTimeDigitized"], ASCII, dt)
        if sub:
            exif.set(TAG["SubSecTimeDigitized"], ASCII, sub)
        if meta.get("offset"):
            exif.set(TAG["OffsetTimeDigitized"], ASCII, meta["offset"])
    if meta.get("exposure") is not None:
        exif.set(TAG["ExposureTime"], RATIONAL, rational(meta["exposure"]))
    if meta.get("aperture") is not None:
        exif.set(TAG["FNumber"], RATIONAL, rational(meta["aperture"], 100))
    if meta.get("iso") is not None:
        exif.set(TAG["ISO"], SHORT, meta["iso"])
    if meta.get("flash") is not None:
        exif.set(TAG["Flash"], SHORT, meta["flash"])
    if meta.get("focal_length") is not None:
        exif.set(TAG["FocalLength"], RATIONAL, rational(meta["focal_length"], 100))
    if meta.get("lens_make"):
        exif.set(TAG["LensMake"], ASCII, meta["lens_make"])
    if meta.get("lens"):
        exif.set(TAG["LensModel"], ASCII, meta["lens"])
    if width and height:
        exif.set(TAG["PixelXDimension"], LONG, width)
        exif.set(TAG["PixelYDimension"], LONG, height)
    if maker_note is not None:
        exif.set(TAG["MakerNote"], UNDEFINED, maker_note)
    ifd0.set(TAG["ExifIFD"], LONG, exif)
    gps = meta.get("gps")
    if gps:
        g = IFD({0x0000: (BYTE, b"\x02\x03\x00\x00")})
        g.set(0x0001, ASCII, "N" if gps["lat"] >= 0 else "S")
        g.set(0x0002, RATIONAL, _dms(gps["lat"]))
        g.set(0x0003, ASCII, "E" if gps["lon"] >= 0 else "W")
        g.set(0x0004, RATIONAL, _dms(gps["lon"]))
        if gps.get("alt") is not None:
            g.set(0x0005, BYTE, b"\x00" if gps["alt"] >= 0 else b"\x01")
            g.set(0x0006, RATIONAL, rational(abs(gps["alt"]), 100))
        ifd0.set(TAG["GPSIFD"], LONG, g)
    return ifd0


def apple_maker_note(content_id):
    """Apple iOS maker note holding tag 0x0011 (ContentIdentifier, ExifTool 13 name;
    ExifTool 12.57 calls the same tag MediaGroupUUID). Offsets inside are relative to the
    start of the maker note, as in files written by iPhones."""
    entries = [
        (0x0001, SLONG, 1, struct.pack(">i", 14)),  # MakerNoteVersion
        (0x0011, ASCII, len(content_id) + 1, content_id.encode() + b"\0"),
    ]
    head = b"Apple iOS\0" + b"\x00\x01" + b"MM"
    data_off = len(head) + 2 + 12 * len(entries) + 4
    table = struct.pack(">H", len(entries))
    blob = b""
    for tag, typ, count, val in entries:
        if len(val) <= 4:
            table += struct.pack(">HHI", tag, typ, count) + val.ljust(4, b"\0")
        else:
            table += struct.pack(">HHII", tag, typ, count, data_off + len(blob))
            blob += val + (b"\0" if len(val) % 2 else b"")
    return head + table + b"\0\0\0\0" + blob


# --------------------------------------------------------------------------------------------
# XMP

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "GPano": "http://ns.google.com/photos/1.0/panorama/",
    "GCamera": "http://ns.google.com/photos/1.0/camera/",
    "Container": "http://ns.google.com/photos/1.0/container/",
    "Item": "http://ns.google.com/photos/1.0/container/item/",
}


def xmp_packet(attrs=None, elements=""):
    """attrs: {'prefix:Name': value} written as attributes of one rdf:Description;
    elements: raw XML placed inside it (already escaped)."""
    attrs = attrs or {}
    used = {k.split(":")[0] for k in attrs} | {p for p in NS if f"{p}:" in elements}
    used -= {"x", "rdf"}
    decl = "".join(f"\n    xmlns:{p}={quoteattr(NS[p])}" for p in sorted(used))
    at = "".join(f"\n    {k}={quoteattr(str(v))}" for k, v in attrs.items())
    body = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Shoebox corpus">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about=""{decl}{at}>\n{elements}'
        '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n'
        + " " * 200 + '\n<?xpacket end="w"?>'
    )
    return body.encode("utf-8")


def xmp_alt(prop, text):
    return (f"   <{prop}><rdf:Alt><rdf:li xml:lang=\"x-default\">{escape(text)}</rdf:li>"
            f"</rdf:Alt></{prop}>\n")


def xmp_bag(prop, items):
    lis = "".join(f"<rdf:li>{escape(i)}</rdf:li>" for i in items)
    return f"   <{prop}><rdf:Bag>{lis}</rdf:Bag></{prop}>\n"


def xmp_for(meta):
    """XMP for the manifest keys stored in XMP: rating, title, description, tags, and a date
    when taken_source == 'xmp' (taken_field 'photoshop:DateCreated' or 'xmp:CreateDate')."""
    attrs, els = {}, ""
    if meta.get("taken_source") == "xmp":
        field = meta.get("taken_field", "photoshop:DateCreated")
        attrs[field] = meta["taken"] + (meta.get("offset") or "")
    if meta.get("rating") is not None:
        attrs["xmp:Rating"] = meta["rating"]
    if meta.get("title"):
        els += xmp_alt("dc:title", meta["title"])
    if meta.get("description"):
        els += xmp_alt("dc:description", meta["description"])
    if meta.get("tags"):
        els += xmp_bag("dc:subject", meta["tags"])
    return attrs, els


# --------------------------------------------------------------------------------------------
# JPEG segments

XMP_SIG = b"http://ns.adobe.com/xap/1.0/\0"


def jpeg_segments(data):
    """Split a JPEG into (marker, payload) up to SOS; returns (segments, rest-from-SOS)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    i, segs = 2, []
    while True:
        assert data[i] == 0xFF
        marker = data[i + 1]
        if marker == 0xDA:
            return segs, data[i:]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        segs.append((marker, data[i + 4:i + 2 + length]))
        i += 2 + length


def jpeg_with_meta(jpeg, tiff=None, xmp=None, app13=None, keep_jfif=False):
    """Rebuild a JPEG: SOI, APP1 Exif, APP1 XMP, APP13, then the original segments."""
    segs, rest = jpeg_segments(jpeg)
    out = bytearray(b"\xff\xd8")

    def seg(marker, payload):
        assert len(payload) + 2 <= 0xFFFF, "segment too large"
        out.extend(bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload)

    if tiff is not None:
        seg(0xE1, b"Exif\0\0" + tiff)
    if xmp is not None:
        seg(0xE1, XMP_SIG + xmp)
    if app13 is not None:
        seg(0xED, app13)
    for marker, payload in segs:
        if marker == 0xE0 and not keep_jfif and (tiff is not None or xmp is not None):
            continue
        if marker == 0xE1:
            continue
        seg(marker, payload)
    out.extend(rest)
    return bytes(out)


def iptc_app13(title=None, description=None, keywords=()):
    """Photoshop 3.0 APP13 with an IPTC-IIM resource (8BIM 0x0404), UTF-8 declared."""
    rec = b"\x1c\x01\x5a\x00\x03\x1b\x25\x47"  # 1:90 CodedCharacterSet = ESC % G (UTF-8)

    def ds(num, text):
        b = text.encode("utf-8")
        return b"\x1c\x02" + bytes([num]) + struct.pack(">H", len(b)) + b

    rec += b"\x1c\x02\x00\x00\x02\x00\x04"  # 2:00 RecordVersion = 4
    if title:
        rec += ds(5, title)  # ObjectName
    for k in keywords:
        rec += ds(25, k)  # Keywords
    if description:
        rec += ds(120, description)  # Caption-Abstract
    res = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(rec)) + rec
    if len(rec) % 2:
        res += b"\0"
    return b"Photoshop 3.0\0" + res


def jpeg_bomb(width=60000, height=60000):
    """A tiny baseline JPEG whose SOF0 claims width x height; the scan is a few bytes."""
    dqt = b"\x00" + bytes([1] * 64)
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    # a DC-only Huffman table (one code of length 1 for category 0) and an AC table (EOB)
    dht_dc = b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    dht_ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"

    def seg(m, p):
        return bytes([0xFF, m]) + struct.pack(">H", len(p) + 2) + p

    return (b"\xff\xd8" + seg(0xDB, dqt) + seg(0xC0, sof) + seg(0xC4, dht_dc) + seg(0xC4, dht_ac)
            + seg(0xDA, sos) + b"\x00" * 64 + b"\xff\xd9")


def png_chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data))


def png_bomb(width=60000, height=60000):
    """A valid-looking PNG header claiming width x height (8-bit grey); IDAT holds one
    compressed row only, so it is tiny on disk but a decoder that trusts the header would
    allocate width*height bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def fake_cr2():
    """TIFF header + Canon CR2 magic ('CR' v2.0 at offset 8) + one empty-ish IFD: a file a
    RAW reader recognises by its magic but that holds no preview and no raw data."""
    ifd = IFD({0x010F: (ASCII, "Canon"), 0x0110: (ASCII, "Canon EOS 5D Mark IV"),
               0x0112: (SHORT, 1)})
    return build_tiff(ifd, "II", header_extra=b"CR\x02\x00\x00\x00\x00\x00")


def fake_nef():
    """A TIFF with Make NIKON CORPORATION, no image data and no preview."""
    ifd = IFD({0x00FE: (LONG, 1), 0x010F: (ASCII, "NIKON CORPORATION"), 0x0110: (ASCII, "NIKON D850"),
               0x0112: (SHORT, 1)})
    return build_tiff(ifd, "MM")


def dng_with_preview(bayer_le16, width, height, preview_jpeg, pw, ph, meta):
    """DNG 1.4: IFD0 = JPEG preview (NewSubfileType 1, Compression 7, YCbCr), SubIFD = the
    16-bit uncompressed RGGB CFA raw; camera tags from meta (make, model, taken...)."""
    raw = IFD({
        0x00FE: (LONG, 0), 0x0100: (LONG, width), 0x0101: (LONG, height),
        0x0102: (SHORT, 16), 0x0103: (SHORT, 1), 0x0106: (SHORT, 32803),
        0x0111: (LONG, Blob(bayer_le16)), 0x0115: (SHORT, 1), 0x0116: (LONG, height),
        0x0117: (LONG, len(bayer_le16)), 0x011C: (SHORT, 1),
        0x828D: (SHORT, [2, 2]), 0x828E: (BYTE, b"\x00\x01\x01\x02"),
        0xC61A: (LONG, 0), 0xC61D: (LONG, 4095),
    })
    ifd0 = exif_ifds(meta)
    exif = ifd0.entries[TAG["ExifIFD"]][1]
    ifd0.entries.pop(TAG["Orientation"])
    for tag, (typ, val) in {
        0x00FE: (LONG, 1), 0x0100: (LONG, pw), 0x0101: (LONG, ph), 0x0102: (SHORT, [8, 8, 8]),
        0x0103: (SHORT, 7), 0x0106: (SHORT, 6), 0x0111: (LONG, Blob(preview_jpeg)),
        0x0112: (SHORT, meta.get("orientation", 1)), 0x0115: (SHORT, 3), 0x0116: (LONG, ph),
        0x0117: (LONG, len(preview_jpeg)), 0x011C: (SHORT, 1), 0x0131: (ASCII, "Shoebox corpus"),
        0x014A: (LONG, raw),
        0xC612: (BYTE, b"\x01\x04\x00\x00"), 0xC613: (BYTE, b"\x01\x01\x00\x00"),
        0xC614: (ASCII, (meta.get("make", "") + " " + meta.get("model", "")).strip()),
        0xC621: (SRATIONAL, [(1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]),
        0xC628: (RATIONAL, [(1, 1), (1, 1), (1, 1)]),
        0xC65A: (SHORT, 21),
    }.items():
        ifd0.set(tag, typ, val)
    assert exif is not None
    return build_tiff(ifd0, "II")


# ------------------------------------------------------------------------ HEIF item surgery
# Just enough ISOBMFF to find a HEIF's primary item, its grid tiles (`dimg` references) and
# where each item's data lies (`iloc`), so that a real file can lose a tile on purpose and the
# build can prove which tiles a damaged file has lost.

def _boxes(data, start, end):
    """(type, box start, payload start, box end as declared) of each box in data[start:end]."""
    pos = start
    while pos + 8 <= end:
        size, typ = struct.unpack(">I4s", data[pos:pos + 8])
        hdr = 8
        if size == 1:
            size, hdr = struct.unpack(">Q", data[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < hdr:
            raise ValueError(f"box {typ!r} at {pos} has size {size}")
        yield typ.decode("latin-1"), pos, pos + hdr, pos + size
        pos += size


def _uint(data, pos, n):
    return int.from_bytes(data[pos:pos + n], "big") if n else 0


def _iloc(data, p):
    """item id -> (construction method, [(file offset, length)], (where the first extent's
    offset field is, its width, the item's base offset)) from an iloc payload."""
    version = data[p]
    pos = p + 4
    offset_size, length_size = data[pos] >> 4, data[pos] & 15
    base_size, index_size = data[pos + 1] >> 4, (data[pos + 1] & 15) if version in (1, 2) else 0
    pos += 2
    idw = 2 if version < 2 else 4
    count = _uint(data, pos, idw)
    pos += idw
    items = {}
    for _ in range(count):
        item = _uint(data, pos, idw)
        pos += idw
        method = 0
        if version in (1, 2):
            method = _uint(data, pos, 2) & 15
            pos += 2
        pos += 2  # data_reference_index
        base = _uint(data, pos, base_size)
        pos += base_size
        extents, field = [], None
        n = _uint(data, pos, 2)
        pos += 2
        for _ in range(n):
            pos += index_size
            field = field or (pos, offset_size, base)
            off = _uint(data, pos, offset_size)
            length = _uint(data, pos + offset_size, length_size)
            pos += offset_size + length_size
            extents.append((base + off, length))
        items[item] = (method, extents, field)
    return items


def heif_items(data):
    """The meta box of a HEIF: {'primary': id, 'items': iloc map, 'dimg': {grid id: (tile ids,
    file offset of the first id, id width)}}."""
    meta = next(b for b in _boxes(data, 0, len(data)) if b[0] == "meta")
    out = {"primary": None, "items": {}, "dimg": {}}
    for typ, _s, p, end in _boxes(data, meta[2] + 4, meta[3]):
        if typ == "pitm":
            out["primary"] = _uint(data, p + 4, 2 if data[p] == 0 else 4)
        elif typ == "iloc":
            out["items"] = _iloc(data, p)
        elif typ == "iref":
            w = 2 if data[p] == 0 else 4
            for rtyp, _rs, rp, _re in _boxes(data, p + 4, end):
                if rtyp == "dimg":
                    src, n = _uint(data, rp, w), _uint(data, rp + w, 2)
                    ids = [_uint(data, rp + w + 2 + i * w, w) for i in range(n)]
                    out["dimg"][src] = (ids, rp + w + 2, w)
    return out


def heif_lost_tiles(data):
    """(tile ids of the primary grid, the ones that are lost): a tile is lost when no item has
    that id, or its data runs past the end of the file."""
    h = heif_items(data)
    tiles = h["dimg"].get(h["primary"], ([], 0, 2))[0]
    lost = []
    for t in tiles:
        item = h["items"].get(t)
        if item is None or (item[0] == 0 and any(o + n > len(data) for o, n in item[1])):
            lost.append(t)
    return tiles, lost


def heif_unlink_tile(data, index):
    """The same file with the primary grid's `index`-th `dimg` reference pointing to an item id
    that no item has: a grid with a tile missing. Same length, one id changed."""
    h = heif_items(data)
    ids, pos, w = h["dimg"][h["primary"]]
    ghost = (1 << (8 * w)) - 1
    assert ghost not in h["items"] and ghost not in ids
    at = pos + index * w
    return data[:at] + ghost.to_bytes(w, "big") + data[at + w:]


def heif_move_tile_past_end(data, index):
    """The same file with the data of the primary grid's `index`-th tile placed, by its iloc
    extent, at the end of the file, where there is nothing: the tile item is there, its data is
    not (what a file cut short, or a broken copy, looks like to a reader). One offset changed."""
    h = heif_items(data)
    tile = h["dimg"][h["primary"]][0][index]
    method, _extents, (at, width, base) = h["items"][tile]
    assert method == 0
    return data[:at] + (len(data) - base).to_bytes(width, "big") + data[at + width:]
