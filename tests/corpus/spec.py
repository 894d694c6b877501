"""The single source of truth for the media test corpus.

Every file of the corpus is one entry here: where it lives (`path`), what the indexer must
make of it (`kind` and the expected values, in the manifest's vocabulary), and how it is made
(`gen`, never written to the manifest). generate.py makes each file from its entry, writes the
metadata the entry expects (EXIF/XMP/QuickTime keys are derived from the expected values, so
the two cannot drift), checks the result with ExifTool 13 / ffprobe / decoders, and writes
manifest.json from these entries plus a few measured facts (e.g. a motion photo's video length).

Manifest vocabulary (all optional except path and kind):
  width, height   as displayed, after EXIF orientation / HEIF irot / video rotation
  orientation     EXIF Orientation 1..8 (absent: the file has none)
  taken           ISO 8601 local wall-clock time as the camera recorded it (fraction = the
                  sub-second digits as stored); taken_source: exif|xmp|quicktime|matroska|
                  filename|mtime; offset: '+02:00' when the file records one ('+00:00' for
                  QuickTime/Matroska UTC creation times)
  gps {lat, lon}  decimal degrees, south/west negative; country: ISO 3166 alpha-2 (synthetic only)
  make, model, lens, focal_length (mm), aperture (f-number), exposure ('1/250'), exposure_s,
  iso, flash (EXIF Flash value; flash_fired = bit 0)
  rating, title, description, tags
  duration_ms (+ duration_tolerance_ms), video_codec (ffprobe codec_name), fps, rotation
  live_pair (path of the other half), content_id, pair_by: content_id|basename
  pano360: true/false for files carrying GPano
  reason: truncated|missing_tile|empty|not_an_image|too_large|no_preview|bad_video|loop|hidden|
          not_media
"""

DEFAULT_MTIME = "2009-02-13T23:31:30Z"  # every file's mtime unless the entry sets `mtime`

# Where the real files come from: name -> (PyPI project, version, sdist file, licence)
SOURCES = {
    "pillow-heif": ("pillow-heif", "1.8.1", "pillow_heif-1.8.1.tar.gz", "BSD-3-Clause"),
    "Pillow": ("Pillow", "13.0.0", "pillow-13.0.0.tar.gz", "MIT-CMU (HPND)"),
    "piexif": ("piexif", "1.1.3", "piexif-1.1.3.zip", "MIT"),
}

# The test card used by every synthesised still: four coloured quadrants (as displayed),
# a white arrow pointing up and a label. Tests can check orientation handling by sampling the
# middle of each quadrant of the decoded, orientation-corrected image.
CARD_COLORS = {"top_left": [220, 40, 40], "top_right": [40, 170, 60],
               "bottom_left": [40, 70, 220], "bottom_right": [235, 200, 40]}

PHOTO_EXT = ["jpg", "jpeg", "jpe", "png", "gif", "webp", "tif", "tiff", "bmp", "heic", "heif",
             "hif", "avif", "mpo", "dng", "cr2", "cr3", "crw", "nef", "nrw", "arw", "srf", "sr2",
             "raf", "orf", "rw2", "pef", "srw", "x3f", "3fr", "erf", "mef", "mos", "mrw", "dcr",
             "kdc", "k25", "raw"]
VIDEO_EXT = ["mp4", "mov", "m4v", "mkv", "avi", "3gp", "3g2", "mts", "m2ts", "ts", "webm",
             "mpg", "mpeg", "wmv", "asf", "flv", "vob"]

FILE_DEFINITION = (
    "A file is every regular file under the corpus root (symbolic links are not followed and "
    "not counted, whether they point to a file or a directory) whose extension, compared "
    "case-insensitively, is one of candidate_extensions, except: any path with a component "
    "starting with '.', and anything inside a directory named '@eaDir' or '#recycle'. Content "
    "does not matter: a zero-byte or text file named .jpg is a file (and broken)."
)
COUNT_DEFINITION = (
    "files = regular media-candidate files (see file_definition). broken = files of kind broken. "
    "live = Live Photo pairs (two files of kind live each). photos = files of kind photo, pano "
    "and motion (a Motion Photo is one file and one photo item; the 'motion' and 'pano360' "
    "counts are subsets of photos). videos = files of kind video. items = photos + videos + "
    "live = files - broken - live (a Live Photo pair counts as one item)."
)

# What each per-file field of manifest.json means (copied into the manifest).
FIELDS = {
    "path": "relative to the corpus root, '/' separated",
    "kind": "photo | video | live (one half of a Live Photo pair) | motion (Motion Photo: one file, one photo item) "
            "| pano (360-degree photo) | broken (a media candidate that cannot be indexed) | ignored (not a "
            "media candidate: hidden, not_media, symlink loop)",
    "counted": "true when the file counts in summary.files (kind != ignored)",
    "width/height": "pixels as displayed: after EXIF Orientation (JPEG/TIFF/PNG/WebP), HEIF irot (HEIC: EXIF "
                    "Orientation is informational only) or the video display matrix",
    "orientation": "EXIF Orientation value stored in the file (absent: none stored)",
    "heif_irot": "HEIF irot box value (anticlockwise quarter turns) when present",
    "taken": "ISO 8601 wall-clock time as recorded, no zone; the fraction is the stored sub-second digits",
    "offset": "zone of 'taken' when the file records one; '+00:00' marks QuickTime mvhd / Matroska times, which "
              "are UTC",
    "taken_source": "exif (DateTimeOriginal, else DateTimeDigitized when taken_field says so) | xmp "
                    "(taken_field: photoshop:DateCreated or xmp:CreateDate) | quicktime (Keys "
                    "com.apple.quicktime.creationdate when present, else mvhd creation time) | matroska (DateUTC) "
                    "| filename | mtime",
    "mtime": "the file's modification time set by the build (UTC)",
    "gps": "decimal degrees, south and west negative",
    "country": "ISO 3166-1 alpha-2 of the GPS point (synthetic files only)",
    "exposure": "ExposureTime as ExifTool prints it ('1/250', '2'); exposure_s is the same in seconds",
    "flash": "EXIF Flash value; flash_fired is its bit 0",
    "tags": "XMP dc:subject, or IPTC Keywords when the file has no XMP",
    "title/description": "XMP dc:title / dc:description (x-default), or IPTC ObjectName / Caption-Abstract",
    "duration_ms": "container duration; allow duration_tolerance_ms (default 100)",
    "video_codec": "ffprobe codec_name",
    "rotation": "clockwise display rotation of a video in degrees (ffprobe prints the negative)",
    "live_pair": "the other half of a Live Photo pair; pair_by: content_id (Apple ContentIdentifier) or basename "
                 "(same name, same folder, no identifier)",
    "content_id": "Apple ContentIdentifier: maker note tag 0x0011 in HEIC/JPEG, Keys "
                  "com.apple.quicktime.content.identifier in MOV",
    "motion_format/video_offset/video_length": "Motion Photo flavour; the embedded MP4 is bytes "
                                               "[video_offset, video_offset + video_length) = the file's tail",
    "pano360/gpano": "whether the file is a 360-degree photo, and the GPano XMP it carries",
    "corners": "the file shows the test card: see card.how",
    "reason": "broken/ignored class: truncated, missing_tile (a HEIF grid tile whose item or data is not in the "
              "file), empty, not_an_image, too_large, no_preview, bad_video, loop, hidden, not_media",
    "source": "for real files: the PyPI sdist and member they were taken from, and its licence",
}

ENTRIES = []


def add(path, kind, gen, **expect):
    ENTRIES.append(dict(path=path, kind=kind, gen=gen, **expect))


def cam(make, model, lens, focal, aperture, exposure, iso, flash):
    d = dict(make=make, model=model, focal_length=focal, aperture=aperture, exposure=exposure,
             iso=iso, flash=flash)
    if lens:
        d["lens"] = lens
    return d


# ---------------------------------------------------------------------------------- real/
def real(name, src, inner, **e):
    add("real/" + name, "photo", {"type": "real", "src": src, "inner": inner}, **e)


HEIF = "tests/images/"
real("pug.heic", "pillow-heif", HEIF + "heif_other/pug.heic", width=4032, height=3024, orientation=1,
     taken="2023-02-21T14:33:08.302", offset="+03:00", taken_source="exif",
     gps={"lat": 44.850478, "lon": 34.976647},
     **cam("Apple", "iPhone 13 Pro", "iPhone 13 Pro back dual wide camera 5.7mm f/1.5", 5.7, 1.5, "1/121", 125, 16),
     note="iPhone 13 Pro HEIC with GPS, HDR gain map and LivePhotoVideoIndex but no ContentIdentifier (not a Live Photo)")
real("empty_icc.heic", "pillow-heif", HEIF + "heif_other/empty_icc.heic", width=1025, height=900, orientation=1,
     taken="2021-07-06T16:08:14.164", offset="+03:00", taken_source="exif",
     gps={"lat": 46.754703, "lon": 33.336106},
     **cam("Apple", "iPhone XS", "iPhone XS back dual camera 4.25mm f/1.8", 4.25, 1.8, "1/28", 800, 16),
     note="iPhone XS HEIC with GPS and an empty ICC profile")
real("arrow.heic", "pillow-heif", HEIF + "heif_other/arrow.heic", width=3024, height=4032, orientation=6,
     heif_irot=3, taken="2018-07-31T14:52:07.557", taken_source="exif",
     **cam("Apple", "iPhone 8 Plus", "iPhone 8 Plus back dual camera 3.99mm f/1.8", 3.99, 1.8, "1/33", 25, 24),
     note="stored 4032x3024; HEIF irot=3 (270 deg anticlockwise) and EXIF Orientation 6 describe the SAME "
          "rotation: apply irot only, never both")
real("xiaomi.heic", "pillow-heif", HEIF + "heif_special/xiaomi.heic", width=2592, height=1944, orientation=1,
     taken="2023-04-27T19:44:18.732", taken_source="exif", gps={"lat": 47.227289, "lon": 39.699992},
     **cam("Xiaomi", "M2012K11AG", None, 4.03, 2.4, "1/50", 62, 16))
real("cat.hif", "pillow-heif", HEIF + "heif_other/cat.hif", width=4240, height=2832,
     taken="2020-09-14T11:09:34.641", offset="-05:00", taken_source="exif", rating=0,
     **cam("SONY", "ILCE-7SM3", "FE 24-70mm F2.8 GM", 48.0, 3.2, "1/200", 80, 16),
     note="real Sony camera .HIF (10-bit 4:2:2 HEVC); no EXIF Orientation")
real("guitar_cw90.hif", "pillow-heif", HEIF + "heif_special/guitar_cw90.hif", width=4672, height=7008,
     heif_irot=1, taken="2023-03-15T14:05:22.790", offset="+08:00", taken_source="exif", rating=0,
     **cam("SONY", "ILCE-7M4", "E 35-150mm F2.0-F2.8 A058", 35.0, 2.0, "1/1600", 100, 16),
     note="stored 7008x4672, rotated only by the HEIF irot box (1 = 90 deg anticlockwise); no EXIF Orientation")
PIL = "Tests/images/"
real("flower.jpg", "Pillow", PIL + "flower.jpg", width=480, height=360, orientation=1,
     taken="2003-12-14T12:01:44", taken_source="exif",
     **cam("Canon", "Canon PowerShot S40", None, 21.3125, 4.9, "1/500", None, 24),
     note="Canon maker notes; ISO only inside the maker note (Canon ISO 100); the maker note also has its "
          "own ExposureTime 1/523 and FNumber 5.0 which ExifTool prefers unless asked for the ExifIFD group")
real("broken_exif_dpi.jpg", "Pillow", PIL + "broken_exif_dpi.jpg", width=100, height=100, orientation=1,
     taken="2013-09-11T16:45:13.90", taken_source="exif",
     **cam("NIKON CORPORATION", "NIKON D800", "14.0-24.0 mm f/2.8", 14.0, 8.0, "1/250", 400, 15),
     note="Nikon D800 JPEG without maker notes; broken resolution tags; LensModel is in IFD0 (not the Exif IFD)")
real("fujifilm.mpo", "Pillow", PIL + "fujifilm.mpo", width=3648, height=2736, orientation=1,
     taken="2013-05-25T16:38:10", taken_source="exif",
     **cam("FUJIFILM", "FinePix REAL 3D W3", None, 6.3, 3.7, "1/300", 800, 24),
     note="MPO (stereo pair, 2 images); the first image is a normal JPEG; one item")
real("invalid-exif.jpg", "Pillow", PIL + "invalid-exif.jpg", width=200, height=200,
     taken="2017-03-13T23:03:09", offset="-07:00", taken_source="xmp",
     note="malformed APP1 EXIF segment (must not fail the file); date from XMP xmp:CreateDate")
real("xmp_test.jpg", "Pillow", PIL + "xmp_test.jpg", width=2000, height=1072,
     taken="2018-10-27T13:27:23.53", taken_source="exif",
     **cam("Canon", "Canon EOS Rebel T6", "EF-S18-55mm f/3.5-5.6 III", 25.0, 4.0, "1/100", 100, 16),
     note="Lightroom export with a large XMP packet (photoshop:DateCreated agrees with EXIF)")
real("iptc.jpg", "Pillow", PIL + "iptc.jpg", width=640, height=480, orientation=1,
     taken="2006-07-08T21:14:45", taken_source="exif",
     tags=["HvK", "2006", "summer", "July", "holiday", "Hungary", "Budapest"],
     **cam("Nokia", "N70-1", None, 4.5, 3.2, "1/135", 125, 0),
     note="tags come from IPTC Keywords only (no XMP dc:subject)")
real("empty_gps_ifd.jpg", "Pillow", PIL + "empty_gps_ifd.jpg", width=10, height=10, orientation=6,
     taken="2020-07-27T14:46:48.780685", taken_source="exif",
     **cam("Xiaomi", "Redmi Note 9S", None, 4.74, 1.79, "1/14", 25600, 16),
     note="empty GPS IFD: no position")
add("real/ultrahdr.jpg", "broken", {"type": "real", "src": "Pillow", "inner": PIL + "ultrahdr.jpg"},
    reason="truncated", claimed_width=1512, claimed_height=2688, orientation=1,
     taken="2024-05-07T09:33:04.046", offset="+08:00", taken_source="exif",
     gps={"lat": 30.62765, "lon": 119.738767},
     **cam("Google", "Pixel 6", "Pixel 6 back camera 6.81mm f/1.85", 6.81, 1.85, "1/25", 89, 16),
     note="Pillow's cut-down Ultra HDR test file: the primary JPEG's scan data is incomplete (Pillow: 'image "
          "file is truncated'; ExifTool: 'JPEG format error') but all metadata is readable. Its XMP has a "
          "GContainer Directory (Primary + GainMap, both image/jpeg) and hdrgm tags: NOT a Motion Photo")
PX = "tests/images/"
for n, mk, mdl, lens, fl, ap, ex, iso, fla, t in [
    ("r_canon.jpg", "Canon", "Canon PowerShot G1 X Mark II", None, 12.5, 5.6, "1/50", 100, 16, "2013-12-17T14:04:24"),
    ("r_casio.jpg", "CASIO COMPUTER CO.,LTD.", "EX-100", None, 12.0, 3.5, "1/40", 80, 16, "2014-03-24T17:18:28"),
    ("r_olympus.jpg", "OLYMPUS IMAGING CORP.", "STYLUS1", None, 16.1, 2.8, "1/25", 100, 24, "2013-11-12T13:54:29"),
    ("r_pana.jpg", "Panasonic", "DMC-L10", None, 50.0, 10.0, "1/200", 100, 16, "2007-09-15T13:15:57"),
    ("r_pen.jpg", "OLYMPUS IMAGING CORP.", "E-P3", None, 15.0, 3.6, "1/30", 1600, 8, "2014-08-23T13:05:43"),
    ("r_ricoh.jpg", "PENTAX RICOH IMAGING", "GR", "GR LENS", 18.3, 2.8, "1/500", 100, 16, "2013-03-29T10:06:41"),
    ("r_sigma.jpg", "SIGMA", "SIGMA DP3 Merrill", None, 50.0, 4.5, "1/5", 100, 0, "2012-12-28T15:25:17"),
    ("r_sony.jpg", "SONY", "DSC-RX1R", None, 35.0, 8.0, "1/125", 100, 16, "2013-04-13T10:22:18"),
]:
    real(n, "piexif", PX + n, width=80, height=80, orientation=1, taken=t, taken_source="exif",
         **cam(mk, mdl, lens, fl, ap, ex, iso, fla),
         note="80x80 with the camera's real maker note" + (
             "; the lens name (OLYMPUS M.14-42mm F3.5-5.6 II R) is only in the Olympus maker note"
             if n == "r_pen.jpg" else ""))

# ------------------------------------------------------------------------------- formats/
D = dict(make="Shoebox", model="Corpus Card")


def fmt(name, fmt_, w, h, taken=None, gen=None, **extra):
    e = dict(width=w, height=h, corners=True)
    if taken:
        e.update(taken=taken, taken_source="exif", orientation=1, **D)
    else:
        e.update(taken_source="mtime")
    e.update(extra)
    add("formats/" + name, "photo", {"type": "card", "format": fmt_, **(gen or {})}, **e)


fmt("jpeg.jpg", "jpeg", 640, 480, "2020-01-01T10:00:00")
fmt("UPPER.JPEG", "jpeg", 632, 474, "2020-01-02T10:00:00", note="upper-case extension")
fmt("progressive.jpg", "jpeg", 600, 450, "2020-01-03T10:00:00", gen={"progressive": True})
fmt("cmyk.jpg", "jpeg", 560, 420, "2020-01-04T10:00:00", gen={"mode": "CMYK"}, corners=False,
    note="CMYK JPEG (Adobe APP14); colours are only approximately the card's")
fmt("gray.jpg", "jpeg", 520, 390, "2020-01-05T10:00:00", gen={"mode": "L"}, corners=False, note="greyscale; corners not checkable")
fmt("odd_333x217.jpg", "jpeg", 333, 217, "2020-01-06T10:00:00", note="odd dimensions with 4:2:0 chroma")
fmt("png.png", "png", 600, 400, "2020-02-01T10:00:00", note="EXIF in a PNG eXIf chunk")
fmt("alpha.png", "png", 400, 300, None, gen={"mode": "RGBA"}, note="RGBA with a transparent band")
fmt("png16.png", "png", 360, 240, None, gen={"mode": "I;16"}, corners=False, note="16-bit greyscale PNG")
fmt("gif.gif", "gif", 320, 200, None)
fmt("animated.gif", "gif", 300, 180, None, gen={"frames": 3}, note="3 frames; the first is the card")
fmt("webp.webp", "webp", 500, 300, "2020-03-01T10:00:00", note="lossy WebP with an EXIF chunk")
fmt("tiff.tif", "tiff", 400, 300, "2020-04-01T10:00:00")
fmt("bmp.bmp", "bmp", 300, 200, None)
fmt("heic.heic", "heic", 800, 600, "2020-05-01T10:00:00", note="heif-enc (libheif 1.15, x265) from a JPEG; EXIF copied")
fmt("DSC00001.HIF", "heic", 640, 360, "2020-05-02T10:00:00",
    note="a HEIC with the camera-style .HIF extension (upper case)")
fmt("avif.avif", "avif", 480, 320, "2020-06-01T10:00:00", note="heif-enc -A (libaom)")
add("formats/pidng.dng", "broken", {"type": "dng_pidng"}, width=256, height=192, orientation=1,
    taken="2020-07-01T10:00:00", taken_source="exif", make="Shoebox", model="PiDNG Bayer", raw=True, preview=False,
    reason="no_preview",
    note="DNG 1.4 written by pidng: 16-bit RGGB CFA in IFD0, no preview; decodable by LibRaw (rawpy) only. "
         "Shoebox shows RAW files through their embedded preview, so this one is broken (no_preview)")
add("formats/preview.dng", "photo", {"type": "dng_preview"}, width=256, height=192, orientation=1,
    taken="2020-07-02T10:00:00", taken_source="exif", make="Shoebox", model="DNG With Preview", raw=True,
    preview=True, corners=True,
    note="DNG 1.4: IFD0 = 256x192 baseline JPEG preview (NewSubfileType 1), SubIFD = 256x192 RGGB raw")

# --------------------------------------------------------------------------- orientation/
for o in range(1, 9):
    add(f"orientation/orient_{o}.jpg", "photo", {"type": "card", "format": "jpeg"}, width=480, height=320,
        orientation=o, corners=True, taken=f"2019-0{o}-01T12:00:00", taken_source="exif", **D,
        note=f"stored {'320x480' if o >= 5 else '480x320'}; displayed upright after applying EXIF Orientation {o}")
add("orientation/orient_6.tif", "photo", {"type": "card", "format": "tiff"}, width=480, height=320, orientation=6,
    corners=True, taken="2019-09-01T12:00:00", taken_source="exif", **D,
    note="TIFF with Orientation 6 in IFD0; stored 320x480")
add("orientation/orient_6.heic", "photo", {"type": "card", "format": "heic-irot"}, width=480, height=320,
    orientation=6, heif_irot=3, corners=True, taken="2019-10-01T12:00:00", taken_source="exif", **D,
    note="written by pillow-heif like an iPhone: stored 320x480, irot=3 AND EXIF Orientation 6 (same rotation, "
         "apply once)")

# ------------------------------------------------------------------------------ metadata/
M = "metadata/"
S = dict(width=320, height=240, corners=True, orientation=1)
add(M + "date_exif_full.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D,
    taken="2021-08-15T14:30:45.123", offset="+02:00", taken_source="exif",
    note="DateTimeOriginal + SubSecTimeOriginal + OffsetTimeOriginal")
add(M + "date_exif_plain.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D,
    taken="2019-12-31T23:59:59", taken_source="exif", note="DateTimeOriginal only, no offset")
add(M + "date_exif_digitized_only.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D,
    taken="2018-03-03T03:03:03", taken_source="exif", taken_field="DateTimeDigitized",
    note="no DateTimeOriginal; only DateTimeDigitized (ExifTool: CreateDate)")
add(M + "IMG_20000101_000000.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D,
    taken="2019-02-03T04:05:06", taken_source="exif", note="EXIF date wins over the date in the file name")
add(M + "date_xmp_photoshop.jpg", "photo", {"type": "card", "format": "jpeg", "exif": False},
    width=320, height=240, corners=True, taken="2017-05-20T09:08:07", offset="+09:00", taken_source="xmp",
    taken_field="photoshop:DateCreated", note="no EXIF at all; XMP photoshop:DateCreated with a zone")
add(M + "date_xmp_createdate.jpg", "photo", {"type": "card", "format": "jpeg", "exif": False},
    width=320, height=240, corners=True, taken="2016-03-04T05:06:07", taken_source="xmp",
    taken_field="xmp:CreateDate", note="no EXIF at all; XMP xmp:CreateDate without a zone")
for name, t in [("IMG_20200101_123456.jpg", "2020-01-01T12:34:56"),
                ("PXL_20210315_101112345.jpg", "2021-03-15T10:11:12.345"),
                ("20190704_080910.jpg", "2019-07-04T08:09:10")]:
    add(M + name, "photo", {"type": "card", "format": "jpeg", "exif": False}, width=320, height=240, corners=True,
        taken=t, taken_source="filename",
        note="no EXIF/XMP; the date is in the name" + (
            " (Pixel PXL_ names are really UTC; expected value is the literal digits)" if name.startswith("PXL") else ""))
add(M + "no_date.jpg", "photo", {"type": "card", "format": "jpeg", "exif": False}, width=320, height=240,
    corners=True, taken="2015-06-07T08:09:10", taken_source="mtime", mtime="2015-06-07T08:09:10Z",
    note="no metadata and no date in the name: mtime (set in UTC; expected value assumes TZ=UTC)")
for name, lat, lon, cc in [("gps_paris.jpg", 48.858370, 2.294481, "FR"),
                           ("gps_tokyo.jpg", 35.658581, 139.745433, "JP"),
                           ("gps_sydney.jpg", -33.856784, 151.215297, "AU"),
                           ("gps_newyork.jpg", 40.758000, -73.985500, "US"),
                           ("gps_rio.jpg", -22.951916, -43.210487, "BR")]:
    add(M + name, "photo", {"type": "card", "format": "jpeg"}, **S, **D, taken="2022-03-04T05:06:07",
        taken_source="exif", gps={"lat": lat, "lon": lon, "alt": 35.0}, country=cc)
add(M + "gps_null_island.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D, taken="2022-03-04T05:06:07",
    taken_source="exif", gps={"lat": 0.0, "lon": 0.0},
    note="GPS 0,0 ('Null Island'): present in the file, but no place should be named for it")
add(M + "camera_dslr.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, taken="2022-05-06T07:08:09",
    taken_source="exif", flash_fired=True, lens_make="Canon",
    **cam("Canon", "Canon EOS R5", "RF24-105mm F4 L IS USM", 50.0, 4.0, "1/250", 400, 1))
add(M + "camera_phone.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, taken="2022-05-06T07:08:10",
    taken_source="exif", offset="-04:00", flash_fired=False, lens_make="Apple",
    **cam("Apple", "iPhone 14 Pro", "iPhone 14 Pro back triple camera 6.86mm f/1.78", 6.86, 1.78, "1/60", 640, 24))
add(M + "camera_longexp.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, taken="2022-05-06T07:08:11",
    taken_source="exif", flash_fired=False,
    **cam("NIKON CORPORATION", "NIKON Z 6", "NIKKOR Z 24-70mm f/4 S", 24.0, 22.0, "2", 64, 0),
    note="exposure of 2 seconds (ExifTool prints '2')")
for r in range(0, 6):
    add(M + f"rating_{r}.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D,
        taken=f"2023-01-0{r + 1}T12:00:00", taken_source="exif", rating=r, note="XMP xmp:Rating")
add(M + "xmp_full.jpg", "photo", {"type": "card", "format": "jpeg"}, **S, **D, taken="2023-02-01T12:00:00",
    taken_source="exif", rating=4, title="Sunset at the pier",
    description="Long exposure of the old pier; the second line\nhas a line break.",
    tags=["beach", "family trip", "Ünïcödé 東京"], note="XMP dc:title, dc:description, dc:subject, xmp:Rating")
add(M + "iptc_only.jpg", "photo", {"type": "card", "format": "jpeg", "iptc": True}, **S, **D,
    taken="2023-02-02T12:00:00", taken_source="exif", title="IPTC object name",
    description="IPTC caption", tags=["iptc-one", "iptc two"],
    note="title/description/tags only in IPTC-IIM (APP13: ObjectName, Caption-Abstract, Keywords), no XMP")

# --------------------------------------------------------------------------------- video/
V = "video/"
CT = "2021-05-06T07:08:09"


def vid(name, **e):
    gen = e.pop("gen")
    add(V + name, "video", {"type": "video", **gen}, **e)


vid("h264.mp4", gen=dict(fmt="mp4", vcodec="h264", audio=True, ct=CT), width=320, height=240, duration_ms=1000,
    video_codec="h264", fps=30.0, taken=CT, offset="+00:00", taken_source="quicktime",
    note="H.264 + AAC, faststart; creation_time in mvhd (UTC)")
vid("hevc.mov", gen=dict(fmt="mov", vcodec="hevc", ct="2021-05-07T07:08:09", duration=2), width=320, height=240,
    duration_ms=2000, video_codec="hevc", fps=30.0, taken="2021-05-07T07:08:09", offset="+00:00",
    taken_source="quicktime", note="HEVC tagged hvc1 in QuickTime")
vid("h264.m4v", gen=dict(fmt="ipod", vcodec="h264", ct="2021-05-08T07:08:09"), width=320, height=240,
    duration_ms=1000, video_codec="h264", fps=30.0, taken="2021-05-08T07:08:09", offset="+00:00",
    taken_source="quicktime")
vid("h264.mkv", gen=dict(fmt="matroska", vcodec="h264", ct="2021-05-09T07:08:09", fps=25), width=320, height=240,
    duration_ms=1000, video_codec="h264", fps=25.0, taken="2021-05-09T07:08:09", offset="+00:00",
    taken_source="matroska", note="Matroska DateUTC")
vid("mpeg4.avi", gen=dict(fmt="avi", vcodec="mpeg4"), width=320, height=240, duration_ms=1000,
    video_codec="mpeg4", fps=30.0, taken_source="mtime", taken="2009-02-13T23:31:30",
    note="AVI has no date ffmpeg can write (no IDIT): mtime")
vid("h263.3gp", gen=dict(fmt="3gp", vcodec="h263", audio=True, ct="2021-05-10T07:08:09", size=(176, 144), fps=15),
    width=176, height=144, duration_ms=1000, video_codec="h263", fps=15.0, taken="2021-05-10T07:08:09",
    offset="+00:00", taken_source="quicktime")
vid("avchd.MTS", gen=dict(fmt="mpegts", vcodec="h264"), width=320, height=240, duration_ms=1000,
    duration_tolerance_ms=150, video_codec="h264", fps=30.0, taken_source="mtime", taken="2009-02-13T23:31:30",
    note="MPEG-TS; no date (real AVCHD keeps it in H.264 SEI 'MDPM', which ffmpeg cannot write)")
vid("bdav.m2ts", gen=dict(fmt="m2ts", vcodec="h264"), width=320, height=240, duration_ms=1000,
    duration_tolerance_ms=150, video_codec="h264", fps=30.0, taken_source="mtime", taken="2009-02-13T23:31:30",
    note="192-byte-packet M2TS; no date")
vid("rotated_90.mp4", gen=dict(fmt="mp4", vcodec="h264", ct="2021-05-11T07:08:09", card=True, rotation=90),
    width=240, height=320, rotation=90, corners=True, duration_ms=1000, video_codec="h264", fps=30.0,
    taken="2021-05-11T07:08:09", offset="+00:00", taken_source="quicktime",
    note="stored 320x240 with a display matrix rotating 90 deg clockwise (ExifTool Rotation=90; ffprobe "
         "reports rotation -90); the decoded, rotated frame shows the card upright")
vid("iphone_gps.mov", gen=dict(fmt="mov", vcodec="hevc", ct="2022-07-08T00:10:11",
                               keys={"CreationDate": "2022-07-08T09:10:11+09:00", "Make": "Apple",
                                     "Model": "iPhone 13 Pro", "GPSCoordinates": (35.658581, 139.745433, 40.0)}),
    width=320, height=240, duration_ms=1000, video_codec="hevc", fps=30.0, taken="2022-07-08T09:10:11",
    offset="+09:00", taken_source="quicktime", make="Apple", model="iPhone 13 Pro",
    gps={"lat": 35.658581, "lon": 139.745433}, country="JP",
    note="QuickTime Keys com.apple.quicktime.creationdate (local time + zone, preferred over the UTC mvhd time "
         "2022-07-08T00:10:11Z) and com.apple.quicktime.location.ISO6709")
vid("VID_20200202_101010.mp4", gen=dict(fmt="mp4", vcodec="h264", ct=None), width=320, height=240,
    duration_ms=1000, video_codec="h264", fps=30.0, taken="2020-02-02T10:10:10", taken_source="filename",
    note="no creation_time (mvhd time is 0 = 1904-01-01, must be ignored); date from the name")

# ---------------------------------------------------------------------------------- live/
L = "live/"
CID_A = "5E7B6C2A-1D3F-4E59-9A8B-0C1D2E3F4A5B"
CID_B = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
CID_C = "0F1E2D3C-4B5A-4968-8776-655443322110"
LIVE_META = dict(make="Apple", model="iPhone 12", taken="2022-06-01T10:11:12", offset="+02:00",
                 gps={"lat": 48.858370, "lon": 2.294481})
add(L + "IMG_0001.HEIC", "live", {"type": "card", "format": "heic", "apple_cid": True}, width=640, height=480,
    orientation=1, corners=True, taken_source="exif", content_id=CID_A, live_pair=L + "IMG_0001.MOV",
    pair_by="content_id", live_role="photo", **LIVE_META,
    note="HEIC (heif-enc) whose EXIF has an Apple maker note with tag 0x0011 = ContentIdentifier")
add(L + "IMG_0001.MOV", "live", {"type": "video", "fmt": "mov", "vcodec": "hevc", "duration": 2, "size": (480, 360),
                                 "ct": "2022-06-01T08:11:12",
                                 "keys": {"ContentIdentifier": CID_A, "CreationDate": "2022-06-01T10:11:12+02:00",
                                          "Make": "Apple", "Model": "iPhone 12",
                                          "GPSCoordinates": (48.858370, 2.294481, 35.0)}},
    width=480, height=360, duration_ms=2000, video_codec="hevc", fps=30.0, taken_source="quicktime",
    content_id=CID_A, live_pair=L + "IMG_0001.HEIC", pair_by="content_id", live_role="video", **LIVE_META,
    note="QuickTime Keys com.apple.quicktime.content.identifier (written by ExifTool 13)")
add(L + "IMG_0002.JPG", "live", {"type": "card", "format": "jpeg", "apple_cid": True}, width=640, height=480,
    orientation=1, corners=True, taken_source="exif", content_id=CID_B, live_pair=L + "IMG_0002.MOV",
    pair_by="content_id", live_role="photo", **LIVE_META,
    note="JPEG still of a Live Photo: the ContentIdentifier is in the Apple maker note (EXIF 0x927c, tag 0x0011)")
add(L + "IMG_0002.MOV", "live", {"type": "video", "fmt": "mov", "vcodec": "h264", "duration": 2, "size": (480, 360),
                                 "ct": "2022-06-01T08:11:12",
                                 "keys": {"ContentIdentifier": CID_B, "CreationDate": "2022-06-01T10:11:12+02:00",
                                          "Make": "Apple", "Model": "iPhone 12"}},
    width=480, height=360, duration_ms=2000, video_codec="h264", fps=30.0, taken_source="quicktime",
    content_id=CID_B, live_pair=L + "IMG_0002.JPG", pair_by="content_id", live_role="video",
    **{k: v for k, v in LIVE_META.items() if k != "gps"})
add(L + "IMG_0003.JPG", "live", {"type": "card", "format": "jpeg"}, width=640, height=480, orientation=1,
    corners=True, taken="2022-06-02T10:11:12", taken_source="exif", make="Apple", model="iPhone 12",
    live_pair=L + "IMG_0003.MOV", pair_by="basename", live_role="photo",
    note="no ContentIdentifier anywhere: paired only by the same base name in the same folder")
add(L + "IMG_0003.MOV", "live", {"type": "video", "fmt": "mov", "vcodec": "h264", "duration": 2,
                                 "size": (480, 360), "ct": "2022-06-02T08:11:12"},
    width=480, height=360, duration_ms=2000, video_codec="h264", fps=30.0, taken="2022-06-02T08:11:12",
    offset="+00:00", taken_source="quicktime", live_pair=L + "IMG_0003.JPG", pair_by="basename",
    live_role="video")
add(L + "IMG_0004.HEIC", "photo", {"type": "card", "format": "heic", "apple_cid": True}, width=640, height=480,
    orientation=1, corners=True, taken_source="exif", content_id=CID_C,
    **{k: v for k, v in LIVE_META.items() if k not in ("gps", "taken")}, taken="2022-06-03T10:11:12",
    note="has a ContentIdentifier but no video anywhere: a plain photo")
add(L + "IMG_0005.JPG", "photo", {"type": "card", "format": "jpeg"}, width=640, height=480, orientation=1,
    corners=True, taken="2022-06-04T10:11:12", taken_source="exif", make="Apple", model="iPhone 12",
    note="its namesake IMG_0005.MOV is in another folder (live/other/): not a pair")
add(L + "other/IMG_0005.MOV", "video", {"type": "video", "fmt": "mov", "vcodec": "h264", "duration": 2,
                                        "size": (480, 360), "ct": "2022-06-04T08:11:12"},
    width=480, height=360, duration_ms=2000, video_codec="h264", fps=30.0, taken="2022-06-04T08:11:12",
    offset="+00:00", taken_source="quicktime", note="same base name as live/IMG_0005.JPG but another folder")

# -------------------------------------------------------------------------------- motion/
add("motion/PXL_20230405_060708123.MP.jpg", "motion",
    {"type": "motion", "style": "motionphoto", "video": {"duration": 1.5, "size": (320, 240), "fps": 30}},
    width=640, height=480, orientation=1, corners=True, taken="2023-04-05T06:07:08.123", taken_source="exif",
    make="Google", model="Pixel 7", motion_format="MotionPhoto", presentation_timestamp_us=750000,
    motion_video={"duration_ms": 1500, "video_codec": "h264", "width": 320, "height": 240, "fps": 30.0},
    note="2021 Motion Photo format: JPEG + appended MP4; XMP GCamera:MotionPhoto=1, MotionPhotoVersion=1, "
         "MotionPhotoPresentationTimestampUs and Container:Directory (Primary image/jpeg, MotionPhoto video/mp4 "
         "with Item:Length = MP4 size); the MP4 starts at file size - Item:Length")
add("motion/MVIMG_20190506_070809.jpg", "motion",
    {"type": "motion", "style": "microvideo", "video": {"duration": 1, "size": (320, 240), "fps": 30}},
    width=640, height=480, orientation=1, corners=True, taken="2019-05-06T07:08:09", taken_source="exif",
    make="Google", model="Pixel 3", motion_format="MicroVideo", presentation_timestamp_us=500000,
    motion_video={"duration_ms": 1000, "video_codec": "h264", "width": 320, "height": 240, "fps": 30.0},
    note="legacy (2018) form: XMP GCamera:MicroVideo=1, MicroVideoVersion=1, MicroVideoOffset = bytes from the "
         "MP4's first byte to the end of the file, MicroVideoPresentationTimestampUs")

# ---------------------------------------------------------------------------------- pano/
P = "pano/"


def pano(name, kind, w, h, full, crop, viewer, is360, note, top=None):
    g = {"ProjectionType": "equirectangular"} if full else {}
    if full:
        g.update(FullPanoWidthPixels=full[0], FullPanoHeightPixels=full[1], CroppedAreaImageWidthPixels=crop[0],
                 CroppedAreaImageHeightPixels=crop[1], CroppedAreaLeftPixels=0,
                 CroppedAreaTopPixels=top if top is not None else 0)
        if viewer is not None:
            g["UsePanoramaViewer"] = viewer
    add(P + name, kind, {"type": "card", "format": "jpeg", "gpano": g}, width=w, height=h, orientation=1,
        corners=True, taken="2023-07-01T12:00:00", taken_source="exif", **D, pano360=is360,
        **({"gpano": g} if g else {}), note=note)


pano("pano_360.jpg", "pano", 1024, 512, (1024, 512), (1024, 512), "True", True,
     "full equirectangular 2:1 with UsePanoramaViewer=True: a 360 photo")
pano("pano_360_no_viewer_tag.jpg", "pano", 1024, 512, (1024, 512), (1024, 512), None, True,
     "full equirectangular without UsePanoramaViewer (defaults to true): a 360 photo")
pano("pano_360_viewer_false.jpg", "photo", 1024, 512, (1024, 512), (1024, 512), "False", False,
     "UsePanoramaViewer=False: NOT a 360 photo")
pano("pano_partial.jpg", "photo", 1024, 256, (1024, 512), (1024, 256), "True", False,
     "cropped 1024x256 out of a 1024x512 full pano: NOT a 360 photo", top=128)
pano("wide_no_gpano.jpg", "photo", 1536, 512, None, None, None, False, "3:1 wide image without GPano: a photo")

# ---------------------------------------------------------------------------------- edge/
E = "edge/"
add(E + "truncated.jpg", "broken", {"type": "truncate", "format": "jpeg", "keep": 0.35, "size": (640, 480)},
    reason="truncated", taken="2024-01-01T00:00:00", taken_source="exif", make="Shoebox", model="Corpus Card",
    note="first 35% of a 640x480 JPEG: headers and EXIF intact, scan cut off")
add(E + "truncated.heic", "broken", {"type": "truncate", "format": "heic", "keep": 0.5, "size": (640, 480)},
    reason="truncated", note="first half of a HEIC (mdat cut)")
add(E + "truncated.avif", "broken", {"type": "truncate", "format": "avif", "keep": 0.5, "size": (640, 480)},
    reason="truncated", note="first half of an AVIF (heif-enc -A; mdat cut)")
for _fmt, _ext in (("png", "png"), ("gif", "gif"), ("webp", "webp"), ("tiff", "tif")):
    add(E + "truncated." + _ext, "broken", {"type": "truncate", "format": _fmt, "keep": 0.5, "size": (640, 480)},
        reason="truncated", note=f"first half of a {_fmt.upper()} (Pillow): refused, never shown half blank")
PUG = HEIF + "heif_other/pug.heic"
add(E + "truncated_grid.heic", "broken", {"type": "real", "src": "pillow-heif", "inner": PUG, "keep": 0.4},
    reason="truncated", claimed_width=4032, claimed_height=3024,
    note="the first 40% of real/pug.heic (iPhone 13 Pro, a grid of 48 tiles of 512x512): the meta box is whole, "
         "the data of tiles 29-48 is past the end. libheif decodes it without complaint and leaves the lost "
         "tiles solid green")
add(E + "missing_tile.heic", "broken", {"type": "real", "src": "pillow-heif", "inner": PUG, "tile_past_end": 20},
    reason="missing_tile", claimed_width=4032, claimed_height=3024,
    note="real/pug.heic whose 21st grid tile (row 3, column 5) has its iloc extent moved to the end of the file: "
         "the tile item is there, its data is not. libheif decodes it with that tile solid green")
add(E + "dangling_tile.heic", "broken", {"type": "real", "src": "pillow-heif", "inner": PUG, "unlink_tile": 20},
    reason="missing_tile", claimed_width=4032, claimed_height=3024,
    note="real/pug.heic whose 21st dimg reference names item 65535, which does not exist (libheif refuses it)")
add(E + "empty.jpg", "broken", {"type": "bytes", "data": ""}, reason="empty", note="0 bytes")
add(E + "png_as.jpg", "photo", {"type": "card", "format": "png"}, width=200, height=100, corners=True,
    taken_source="mtime", taken="2009-02-13T23:31:30", actual_format="png",
    note="a PNG named .jpg: sniff the content, do not trust the extension")
add(E + "text_as.jpg", "broken", {"type": "bytes", "data": "This is not a picture, just text named .jpg\n"},
    reason="not_an_image")
add(E + "bomb.png", "broken", {"type": "png_bomb"}, reason="too_large", claimed_width=60000, claimed_height=60000,
    note="PNG header claims 60000x60000 (3.6 Gpx); refuse from the header, never allocate")
add(E + "bomb.jpg", "broken", {"type": "jpeg_bomb"}, reason="too_large", claimed_width=60000, claimed_height=60000,
    note="JPEG SOF0 claims 60000x60000; refuse from the header")
add(E + "raw_no_preview.CR2", "broken", {"type": "fake_cr2"}, reason="no_preview", make="Canon",
    model="Canon EOS 5D Mark IV", note="TIFF header + CR2 magic + IFD0 with Make/Model only: no preview, no raw data")
add(E + "raw_no_preview.NEF", "broken", {"type": "fake_nef"}, reason="no_preview", make="NIKON CORPORATION",
    model="NIKON D850", note="TIFF with Make/Model only: no preview, no raw data")
add(E + "corrupt.mp4", "broken", {"type": "random", "size": 65536, "seed": 1}, reason="bad_video",
    note="64 KiB of pseudo-random bytes")
add(E + "truncated.mp4", "broken", {"type": "truncate", "format": "mp4", "keep": 0.5}, reason="bad_video",
    note="first half of an MP4 whose moov box is at the end: no moov")
add(E + "200MP.heic", "photo", {"type": "real", "src": "pillow-heif", "inner": HEIF + "heif_special/200MP.heic"},
    width=12240, height=16320, orientation=6, heif_irot=3, taken="2025-01-19T14:53:27.031", offset="+03:00",
    taken_source="exif", **cam("samsung", "Galaxy S24 Ultra", None, 6.3, 1.7, "1/50", 200, 0),
    note="real Galaxy S24 Ultra 200 MP HEIC (16320x12240 stored, 2.4 MB, tiled grid): a memory test; a pixel "
         "limit must sit between 200 Mpx and 3.6 Gpx")
add(E + "loop/self", "ignored", {"type": "symlink", "target": ".."}, reason="loop",
    note="symlink to its own parent directory; never followed, not a file")
add(E + "loop/photo.jpg", "photo", {"type": "card", "format": "jpeg"}, width=160, height=120, corners=True,
    orientation=1, taken="2024-02-02T02:02:02", taken_source="exif", **D,
    note="a normal photo beside the loop: must be counted once")
add(E + ".hidden.jpg", "ignored", {"type": "card", "format": "jpeg"}, reason="hidden", note="dot file: skipped")
add(E + "@eaDir/SYNOPHOTO_THUMB_M.jpg", "ignored", {"type": "card", "format": "jpeg"}, reason="hidden",
    note="Synology thumbnail folder: skipped")
add(E + "notes.txt", "ignored", {"type": "bytes", "data": "not media\n"}, reason="not_media",
    note="not a candidate extension")


# Files dated by their mtime: the expected wall-clock time is the mtime in UTC.
for _e in ENTRIES:
    if _e.get("taken_source") == "mtime" and "taken" not in _e:
        _e["taken"] = _e.get("mtime", DEFAULT_MTIME).rstrip("Z")
