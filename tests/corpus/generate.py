#!/usr/bin/env python3
"""Make the media test corpus from spec.py, check every file, write manifest.json.

Run by tests/corpus/build inside its private venv (numpy, Pillow, pillow-heif, pidng, rawpy);
needs ffmpeg/ffprobe, heif-enc and ExifTool 13 (perl script from npm exiftool-vendored.pl).

  generate.py --stage DIR --dl DIR --et13 PATH --out OUT --repo-manifest FILE   # full build
  generate.py --touch-only --out OUT                                           # re-apply mtimes
"""

import argparse
import calendar
import copy
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from datetime import datetime

import spec
import writers as W

HERE = os.path.dirname(os.path.abspath(__file__))
TOPS = sorted({e["path"].split("/")[0] for e in spec.ENTRIES})


def log(msg):
    print(f"[corpus] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"command failed ({r.returncode}): {' '.join(map(str, cmd))}\n"
                           f"{r.stderr.decode(errors='replace')[-2000:]}")
    return r.stdout


def epoch(iso_z):
    return calendar.timegm(datetime.strptime(iso_z, "%Y-%m-%dT%H:%M:%SZ").timetuple())


# ------------------------------------------------------------------------------ drawing

def card(w, h, label):
    from PIL import Image, ImageDraw, ImageFont
    c = spec.CARD_COLORS
    im = Image.new("RGB", (w, h))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, w // 2 - 1, h // 2 - 1], fill=tuple(c["top_left"]))
    d.rectangle([w // 2, 0, w - 1, h // 2 - 1], fill=tuple(c["top_right"]))
    d.rectangle([0, h // 2, w // 2 - 1, h - 1], fill=tuple(c["bottom_left"]))
    d.rectangle([w // 2, h // 2, w - 1, h - 1], fill=tuple(c["bottom_right"]))
    cx, cy, s = w / 2, h / 2, min(w, h) * 0.3
    d.polygon([(cx, cy - s), (cx - 0.6 * s, cy - 0.1 * s), (cx - 0.2 * s, cy - 0.1 * s), (cx - 0.2 * s, cy + s),
               (cx + 0.2 * s, cy + s), (cx + 0.2 * s, cy - 0.1 * s), (cx + 0.6 * s, cy - 0.1 * s)], fill="white")
    size = max(8, h // 18)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:
        font = ImageFont.load_default()
    d.text((max(2, w * 0.02), max(1, h * 0.015)), label, fill="white", font=font)
    return im


def to_stored(im, orientation):
    """Stored pixels such that applying EXIF `orientation` shows `im` upright."""
    from PIL import Image
    T = Image.Transpose
    inv = {1: None, 2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE,
           6: T.ROTATE_90, 7: T.TRANSVERSE, 8: T.ROTATE_270}[orientation]
    return im if inv is None else im.transpose(inv)


def corner_colors(im):
    """Mean colour of a box at the centre of each quadrant of an upright RGB image."""
    w, h = im.size
    out = {}
    for name, (fx, fy) in {"top_left": (0.25, 0.25), "top_right": (0.75, 0.25),
                           "bottom_left": (0.25, 0.75), "bottom_right": (0.75, 0.75)}.items():
        bw, bh = max(1, w // 10), max(1, h // 10)
        x0, y0 = int(w * fx - bw / 2), int(h * fy - bh / 2)
        box = im.crop((x0, y0, x0 + bw, y0 + bh)).convert("RGB")
        px = list(box.get_flattened_data() if hasattr(box, "get_flattened_data") else box.getdata())
        out[name] = [round(sum(p[i] for p in px) / len(px)) for i in range(3)]
    return out


def corners_ok(im, tol=45):
    got = corner_colors(im)
    for k, want in spec.CARD_COLORS.items():
        if any(abs(a - b) > tol for a, b in zip(got[k], want)):
            return False, got
    return True, got


# ---------------------------------------------------------------------------- generators

class Gen:
    def __init__(self, stage, dl, et13):
        self.stage, self.dl, self.et13 = stage, dl, et13
        self.measured = {}  # path -> extra manifest fields measured at build time
        self.tmp = tempfile.mkdtemp(prefix="corpus-tmp-")
        self._archives = {}

    def dest(self, rel):
        p = os.path.join(self.stage, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    # ---- metadata blocks from an entry
    @staticmethod
    def tiff_for(e, size=None, maker_note=None):
        return W.build_tiff(W.exif_ifds(e, *(size or (None, None)), maker_note=maker_note), "MM")

    def meta_blocks(self, e):
        gen = e["gen"]
        tiff = xmp = app13 = None
        if gen.get("exif", True) and e.get("taken_source") not in ("xmp", "filename", "mtime"):
            mn = W.apple_maker_note(e["content_id"]) if gen.get("apple_cid") else None
            tiff = self.tiff_for(e, (e.get("width"), e.get("height")), mn)
        if gen.get("iptc"):
            app13 = W.iptc_app13(e.get("title"), e.get("description"), e.get("tags") or ())
            attrs, els = {}, ""
        else:
            attrs, els = W.xmp_for(e)
        for k, v in (gen.get("gpano") or {}).items():
            attrs["GPano:" + k] = v
        if attrs or els:
            xmp = W.xmp_packet(attrs, els)
        return tiff, xmp, app13

    # ---- stills
    def card_image(self, e, label=None):
        w, h = e.get("width", 320), e.get("height", 240)
        im = card(w, h, label or os.path.basename(e["path"]))
        return to_stored(im, e.get("orientation", 1))

    def jpeg_bytes(self, im, progressive=False, quality=88):
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality, progressive=progressive, optimize=False)
        return buf.getvalue()

    def gen_card(self, e, out=None):
        from PIL import Image
        g = e["gen"]
        out = out or self.dest(e["path"])
        im = self.card_image(e)
        mode = g.get("mode")
        tiff, xmp, app13 = self.meta_blocks(e)
        f = g["format"]
        if f == "jpeg":
            if mode == "CMYK":
                im = im.convert("CMYK")
            elif mode == "L":
                im = im.convert("L")
            data = self.jpeg_bytes(im, progressive=g.get("progressive", False))
            if tiff or xmp or app13:
                data = W.jpeg_with_meta(data, tiff, xmp, app13)
            open(out, "wb").write(data)
        elif f == "png":
            kw = {}
            if tiff:
                kw["exif"] = b"Exif\0\0" + tiff
            if mode == "RGBA":
                im = im.convert("RGBA")
                a = Image.new("L", im.size, 255)
                a.paste(0, (0, int(im.size[1] * 0.45), im.size[0], int(im.size[1] * 0.55)))
                im.putalpha(a)
            elif mode == "I;16":
                import numpy as np
                arr = np.asarray(im.convert("L"), dtype=np.uint16) * 257
                im = Image.fromarray(arr)
            im.save(out, "PNG", **kw)
        elif f == "gif":
            frames = [im.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)]
            for i in range(1, g.get("frames", 1)):
                frames.append(im.rotate(180 * i).convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
            frames[0].save(out, "GIF", save_all=len(frames) > 1, append_images=frames[1:], duration=200, loop=0)
        elif f == "webp":
            im.save(out, "WEBP", quality=80, **({"exif": tiff} if tiff else {}))
        elif f == "tiff":
            im.save(out, "TIFF", **({"exif": b"Exif\0\0" + tiff} if tiff else {}))
        elif f == "bmp":
            im.save(out, "BMP")
        elif f in ("heic", "avif"):
            src = os.path.join(self.tmp, os.path.basename(out) + ".src.jpg")
            data = self.jpeg_bytes(im, quality=95)
            if tiff or xmp:
                data = W.jpeg_with_meta(data, tiff, xmp)
            open(src, "wb").write(data)
            cmd = ["heif-enc", "-q", "60", src, "-o", out]
            if f == "avif":
                cmd[1:1] = ["-A"]
            run(cmd)
            if not os.path.exists(out):
                raise RuntimeError(f"heif-enc wrote nothing for {out}")
        elif f == "heic-irot":
            import pillow_heif
            pillow_heif.register_heif_opener()
            im.save(out, "HEIF", quality=60, exif=b"Exif\0\0" + tiff)
        else:
            raise ValueError(f)
        return out

    def gen_real(self, e):
        src = e["gen"]["src"]
        project, version, archive, _lic = spec.SOURCES[src]
        top = archive.replace(".tar.gz", "").replace(".zip", "")
        member = f"{top}/{e['gen']['inner']}"
        path = os.path.join(self.dl, archive)
        if archive.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                data = z.read(member)
        else:
            if path not in self._archives:
                self._archives[path] = tarfile.open(path, "r:gz")
            t = self._archives[path]
            data = t.extractfile(t.getmember(member)).read()
        # Damaged copies of a real file (edge/): cut short, or one grid tile lost.
        if "keep" in e["gen"]:
            data = data[:int(len(data) * e["gen"]["keep"])]
        if "tile_past_end" in e["gen"]:
            data = W.heif_move_tile_past_end(data, e["gen"]["tile_past_end"])
        if "unlink_tile" in e["gen"]:
            data = W.heif_unlink_tile(data, e["gen"]["unlink_tile"])
        open(self.dest(e["path"]), "wb").write(data)

    def bayer(self, w, h, label):
        import numpy as np
        rgb = np.asarray(card(w, h, label), dtype=np.uint16) * 16  # 12-bit
        b = np.zeros((h, w), np.uint16)
        b[0::2, 0::2] = rgb[0::2, 0::2, 0]
        b[0::2, 1::2] = rgb[0::2, 1::2, 1]
        b[1::2, 0::2] = rgb[1::2, 0::2, 1]
        b[1::2, 1::2] = rgb[1::2, 1::2, 2]
        return b

    def gen_dng_pidng(self, e):
        from pidng.core import RAW2DNG, DNGTags, Tag
        from pidng.defs import CFAPattern, CalibrationIlluminant, Orientation, PhotometricInterpretation
        w, h = e["width"], e["height"]
        t = DNGTags()
        for tag, val in [(Tag.ImageWidth, w), (Tag.ImageLength, h), (Tag.TileWidth, w), (Tag.TileLength, h),
                         (Tag.Orientation, Orientation.Horizontal),
                         (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
                         (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]),
                         (Tag.CFAPattern, CFAPattern.RGGB), (Tag.BlackLevel, 0), (Tag.WhiteLevel, 4095),
                         (Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]),
                         (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
                         (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]), (Tag.BaselineExposure, [[0, 100]]),
                         (Tag.Make, e["make"]), (Tag.Model, e["model"]),
                         (Tag.UniqueCameraModel, e["make"] + " " + e["model"])]:
            t.set(tag, val)
        r = RAW2DNG()
        out = self.dest(e["path"])
        r.options(t, path=os.path.dirname(out), compress=False)
        r.convert(self.bayer(w, h, "pidng.dng"), filename=os.path.basename(out)[:-4])
        dt, _ = W.exif_date(e["taken"])
        run(["perl", self.et13, "-q", "-overwrite_original", f"-ExifIFD:DateTimeOriginal={dt}",
             f"-ExifIFD:CreateDate={dt}", out])

    def gen_dng_preview(self, e):
        w, h = e["width"], e["height"]
        raw = self.bayer(w, h, "preview.dng").astype("<u2").tobytes()
        prev = self.jpeg_bytes(card(w, h, "preview.dng (JPEG preview)"), quality=85)
        data = W.dng_with_preview(raw, w, h, prev, w, h, e)
        open(self.dest(e["path"]), "wb").write(data)

    # ---- video
    def video_file(self, out, g, label="video"):
        dur = g.get("duration", 1)
        w, h = g.get("size", (320, 240))
        fps = g.get("fps", 30)
        cmd = ["ffmpeg", "-v", "error", "-y"]
        if g.get("card"):
            from PIL import Image
            png = os.path.join(self.tmp, os.path.basename(out) + ".png")
            disp = card(h, w, label) if g.get("rotation") in (90, 270) else card(w, h, label)
            stored = disp.transpose(Image.Transpose.ROTATE_90) if g.get("rotation") == 90 else disp
            stored.save(png)
            cmd += ["-loop", "1", "-framerate", str(fps), "-t", str(dur), "-i", png]
        else:
            cmd += ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={fps}:duration={dur}"]
        if g.get("audio"):
            cmd += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={dur}"]
        vc = g["vcodec"]
        if vc == "h264":
            cmd += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-pix_fmt", "yuv420p", "-threads", "1"]
        elif vc == "hevc":
            cmd += ["-c:v", "libx265", "-preset", "ultrafast", "-crf", "32", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
                    "-x265-params", "log-level=error:pools=1:frame-threads=1"]
        elif vc == "mpeg4":
            cmd += ["-c:v", "mpeg4", "-q:v", "6"]
        elif vc == "h263":
            cmd += ["-c:v", "h263", "-q:v", "8"]
        if g.get("audio"):
            cmd += ["-c:a", "aac", "-b:a", "32k", "-ac", "1"]
            if g["fmt"] == "3gp":
                cmd += ["-ar", "16000"]
        cmd += ["-t", str(dur), "-map_metadata", "-1", "-fflags", "+bitexact"]
        if g.get("ct"):
            cmd += ["-metadata", f"creation_time={g['ct']}Z"]
        f = g["fmt"]
        if f == "mp4" and not g.get("no_faststart"):
            cmd += ["-movflags", "+faststart"]
        if f == "m2ts":
            cmd += ["-f", "mpegts", "-mpegts_m2ts_mode", "1"]
        else:
            cmd += ["-f", f]
        run(cmd + [out])
        et = []
        if g.get("rotation"):
            et.append(f"-Rotation={g['rotation']}")
        for k, v in (g.get("keys") or {}).items():
            if k == "CreationDate":
                v = v.replace("-", ":", 2).replace("T", " ")
            if k == "GPSCoordinates":
                v = ", ".join(str(x) for x in v)
            et.append(f"-Keys:{k}={v}")
        if et:
            run(["perl", self.et13, "-q", "-overwrite_original", *et, out])
        return out

    def gen_video(self, e):
        self.video_file(self.dest(e["path"]), e["gen"], os.path.basename(e["path"]))

    # ---- motion photos
    def gen_motion(self, e):
        g = e["gen"]
        v = dict(fmt="mp4", vcodec="h264", **{k: g["video"][k] for k in ("duration", "size", "fps")})
        mp4 = self.video_file(os.path.join(self.tmp, "motion.mp4"), v)
        mp4_bytes = open(mp4, "rb").read()
        n = len(mp4_bytes)
        ts = e["presentation_timestamp_us"]
        if g["style"] == "motionphoto":
            attrs = {"GCamera:MotionPhoto": 1, "GCamera:MotionPhotoVersion": 1,
                     "GCamera:MotionPhotoPresentationTimestampUs": ts}
            els = ("   <Container:Directory>\n    <rdf:Seq>\n"
                   "     <rdf:li rdf:parseType=\"Resource\">\n"
                   "      <Container:Item Item:Mime=\"image/jpeg\" Item:Semantic=\"Primary\" Item:Length=\"0\""
                   " Item:Padding=\"0\"/>\n     </rdf:li>\n"
                   "     <rdf:li rdf:parseType=\"Resource\">\n"
                   f"      <Container:Item Item:Mime=\"video/mp4\" Item:Semantic=\"MotionPhoto\" Item:Length=\"{n}\""
                   " Item:Padding=\"0\"/>\n     </rdf:li>\n    </rdf:Seq>\n   </Container:Directory>\n")
        else:
            attrs = {"GCamera:MicroVideo": 1, "GCamera:MicroVideoVersion": 1, "GCamera:MicroVideoOffset": n,
                     "GCamera:MicroVideoPresentationTimestampUs": ts}
            els = ""
        im = self.card_image(e)
        tiff = self.tiff_for(e, (e["width"], e["height"]))
        jpeg = W.jpeg_with_meta(self.jpeg_bytes(im), tiff, W.xmp_packet(attrs, els))
        out = self.dest(e["path"])
        open(out, "wb").write(jpeg + mp4_bytes)
        self.measured[e["path"]] = {"video_offset": len(jpeg), "video_length": n}

    # ---- edge cases
    def gen_truncate(self, e):
        g = e["gen"]
        full = os.path.join(self.tmp, "full-" + os.path.basename(e["path"]))
        if g["format"] == "mp4":
            self.video_file(full, dict(fmt="mp4", vcodec="h264", duration=2, no_faststart=True))
        else:
            e2 = copy.deepcopy(e)
            e2["width"], e2["height"] = g["size"]
            e2["gen"] = {"type": "card", "format": g["format"]}
            self.gen_card(e2, out=full)
        data = open(full, "rb").read()
        open(self.dest(e["path"]), "wb").write(data[:int(len(data) * g["keep"])])

    def gen_bytes(self, e):
        open(self.dest(e["path"]), "wb").write(e["gen"]["data"].encode())

    def gen_random(self, e):
        g = e["gen"]
        open(self.dest(e["path"]), "wb").write(random.Random(g["seed"]).randbytes(g["size"]))

    def gen_png_bomb(self, e):
        open(self.dest(e["path"]), "wb").write(W.png_bomb(e["claimed_width"], e["claimed_height"]))

    def gen_jpeg_bomb(self, e):
        open(self.dest(e["path"]), "wb").write(W.jpeg_bomb(e["claimed_width"], e["claimed_height"]))

    def gen_fake_cr2(self, e):
        open(self.dest(e["path"]), "wb").write(W.fake_cr2())

    def gen_fake_nef(self, e):
        open(self.dest(e["path"]), "wb").write(W.fake_nef())

    def gen_symlink(self, e):
        os.symlink(e["gen"]["target"], self.dest(e["path"]))

    def make(self, e):
        getattr(self, "gen_" + e["gen"]["type"])(e)


# ---------------------------------------------------------------------------- checking

class Checker:
    def __init__(self, stage, et13):
        self.stage, self.et13 = stage, et13
        self.errors = []
        self.meta = {}

    def fail(self, path, msg):
        self.errors.append(f"{path}: {msg}")

    def load_exiftool(self, paths):
        # exit status is 1 when some files (the broken ones) cannot be read: parse stdout anyway
        out = subprocess.run(["perl", self.et13, "-j", "-G1", "-a", "-n", "-q", "-q", "-api",
                              "LargeFileSupport=1", *[os.path.join(self.stage, p) for p in paths]],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        for d in json.loads(out or b"[]"):
            self.meta[os.path.relpath(d["SourceFile"], self.stage)] = d

    @staticmethod
    def pick(d, *keys):
        for k in keys:
            if k in d and d[k] not in ("", None):
                return d[k]
        return None

    def ffprobe(self, path):
        r = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def decoded(self, e):
        """Displayed (width, height) and, for cards, the upright image; None if undecodable."""
        from PIL import Image, ImageOps
        p = os.path.join(self.stage, e["path"])
        ext = p.rsplit(".", 1)[-1].lower()
        if ext == "dng":
            import rawpy
            with rawpy.imread(p) as r:
                rgb = r.postprocess(no_auto_bright=True, output_bps=8, gamma=(1, 1), user_wb=[1, 1, 1, 1])
            im = Image.fromarray(rgb)
            return im.size, im
        im = Image.open(p)
        big = im.size[0] * im.size[1] > 40_000_000
        if big:
            return im.size, None  # HEIF size is already after irot; don't decode 200 Mpx here
        im.load()
        if ext not in ("heic", "heif", "hif", "avif"):
            im = ImageOps.exif_transpose(im)
        return im.size, im

    def check(self, e, measured):
        p, k = e["path"], e["kind"]
        full = os.path.join(self.stage, p)
        md = self.meta.get(p, {})
        if k == "ignored":
            return
        if k == "broken":
            return self.check_broken(e, full, md)
        if "duration_ms" in e:
            self.check_video(e, full, md)
        else:
            try:
                size, im = self.decoded(e)
            except Exception as ex:  # noqa: BLE001
                return self.fail(p, f"does not decode: {ex!r}")
            if size != (e["width"], e["height"]):
                self.fail(p, f"displayed size {size} != {(e['width'], e['height'])}")
            if e.get("raw"):
                prev = subprocess.run(["perl", self.et13, "-b", "-PreviewImage", full],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
                if bool(prev) != e["preview"]:
                    self.fail(p, f"PreviewImage present={bool(prev)}, manifest says {e['preview']}")
                from PIL import Image
                im = Image.open(io.BytesIO(prev)) if prev else None  # corners refer to the preview
            if e.get("corners") and im is not None:
                ok, got = corners_ok(im)
                if not ok:
                    self.fail(p, f"card corners wrong after orientation: {got}")
        self.check_meta(e, md)
        if k == "motion":
            self.check_motion(e, full, md, measured)

    def check_broken(self, e, full, md):
        from PIL import Image
        p, reason = e["path"], e["reason"]
        if reason == "bad_video":
            info = self.ffprobe(full)
            if info and any(s.get("codec_type") == "video" for s in info.get("streams", [])):
                self.fail(p, "ffprobe still finds a video stream")
            return
        if reason == "no_preview":
            # Fakes must not even open; a real RAW without a preview (pidng) may, since the
            # Bayer data is fine: what makes it broken for Shoebox is the missing preview.
            if not e.get("raw"):
                import rawpy
                try:
                    rawpy.imread(full).close()
                    self.fail(p, "LibRaw opened it")
                except Exception:  # noqa: BLE001
                    pass
            if self.pick(md, "IFD0:PreviewImage", "Composite:PreviewImage", "IFD1:ThumbnailImage",
                         "Composite:JpgFromRaw"):
                self.fail(p, "ExifTool found a preview")
            self.check_meta(e, md)
            return
        if e["gen"]["type"] == "real" and full.lower().endswith(".heic"):
            return self.check_lost_tiles(e, full)
        try:
            im = Image.open(full)
            im.load()
            self.fail(p, f"Pillow decoded it ({im.size})")
        except Image.DecompressionBombError:
            if reason != "too_large":
                self.fail(p, "decompression bomb error, expected " + reason)
        except Exception:  # noqa: BLE001
            if reason == "too_large":
                self.fail(p, "expected a decompression bomb error")
        if reason == "empty" and os.path.getsize(full) != 0:
            self.fail(p, "not empty")
        if e.get("taken"):
            self.check_meta(e, md)

    def check_lost_tiles(self, e, full):
        """A damaged copy of a real gridded HEIC: some tiles of its primary grid are lost (no
        such item, or data past the end of the file), and libheif (pillow-heif), which does not
        decode strictly, either refuses it (a tile that is no image) or shows each lost tile
        solid green (0, 136, 0: all-zero YCbCr), which is the case the indexer must catch."""
        import pillow_heif
        from PIL import Image
        p = e["path"]
        data = open(full, "rb").read()
        tiles, lost = W.heif_lost_tiles(data)
        if not lost:
            return self.fail(p, "no grid tile is lost")
        h = W.heif_items(data)
        dangling = [t for t in lost if t not in h["items"]]
        pillow_heif.register_heif_opener()
        try:
            im = Image.open(full)
            im.load()
        except Exception as ex:  # noqa: BLE001
            if not dangling:
                self.fail(p, f"pillow-heif refuses it ({ex!r}); expected the lost tiles filled")
            return
        if dangling:
            return self.fail(p, "pillow-heif decoded a grid with a tile that does not exist")
        if im.size != (e["claimed_width"], e["claimed_height"]):
            return self.fail(p, f"decoded size {im.size}")
        # Tiles are listed row by row; sample the middle of each lost one.
        cols = -(-im.size[0] // 512)
        for t in lost:
            i = tiles.index(t)
            x, y = (i % cols) * 512 + 256, (i // cols) * 512 + 256
            px = im.getpixel((min(x, im.size[0] - 1), min(y, im.size[1] - 1)))
            if any(abs(a - b) > 12 for a, b in zip(px, (0, 136, 0))):
                self.fail(p, f"lost tile {t} at ({x}, {y}) is {px}, not the fill colour")

    def check_video(self, e, full, md):
        p = e["path"]
        info = self.ffprobe(full)
        if not info:
            return self.fail(p, "ffprobe failed")
        v = [s for s in info["streams"] if s["codec_type"] == "video"][0]
        rot = 0
        for sd in v.get("side_data_list", []):
            if "rotation" in sd:
                rot = (-int(sd["rotation"])) % 360  # ffprobe reports anticlockwise degrees
        w, h = v["width"], v["height"]
        if rot in (90, 270):
            w, h = h, w
        if (w, h) != (e["width"], e["height"]):
            self.fail(p, f"displayed size {(w, h)} != {(e['width'], e['height'])}")
        if rot != e.get("rotation", 0):
            self.fail(p, f"rotation {rot} != {e.get('rotation', 0)}")
        if v["codec_name"] != e["video_codec"]:
            self.fail(p, f"codec {v['codec_name']}")
        n, d = map(int, v["r_frame_rate"].split("/"))
        if abs(n / d - e["fps"]) > 0.01:
            self.fail(p, f"fps {n}/{d}")
        dur = float(info["format"].get("duration", 0)) * 1000
        if abs(dur - e["duration_ms"]) > e.get("duration_tolerance_ms", 100):
            self.fail(p, f"duration {dur} ms")
        if e.get("corners"):
            png = full + ".frame.png"
            run(["ffmpeg", "-v", "error", "-y", "-i", full, "-frames:v", "1", png])
            from PIL import Image
            im = Image.open(png)
            im.load()
            os.unlink(png)
            ok, got = corners_ok(im)
            if not ok or im.size != (e["width"], e["height"]):
                self.fail(p, f"rotated frame {im.size} corners {got}")

    def check_meta(self, e, md):
        p = e["path"]
        pick = self.pick
        ts = e.get("taken_source")

        def eq(field, got, want, tol=None):
            if want is None:
                return
            if tol is not None:
                ok = got is not None and abs(float(got) - float(want)) <= tol
            else:
                ok = got is not None and str(got).strip() == str(want)
            if not ok:
                self.fail(p, f"{field}: file has {got!r}, manifest says {want!r}")

        eq("make", pick(md, "IFD0:Make", "Keys:Make"), e.get("make"))
        eq("model", pick(md, "IFD0:Model", "Keys:Model"), e.get("model"))
        eq("lens", pick(md, "ExifIFD:LensModel", "IFD0:LensModel"), e.get("lens"))
        eq("focal_length", pick(md, "ExifIFD:FocalLength"), e.get("focal_length"), 0.01)
        eq("aperture", pick(md, "ExifIFD:FNumber"), e.get("aperture"), 0.01)
        if e.get("exposure") is not None:
            n, d = W.rational(e["exposure"])
            got = pick(md, "ExifIFD:ExposureTime")
            if got is None or abs(float(got) - n / d) > n / d * 0.02:
                self.fail(p, f"exposure {got} != {e['exposure']}")
        eq("iso", pick(md, "ExifIFD:ISO"), e.get("iso"))
        if e.get("iso") is None and e.get("make") and "real/" in p and pick(md, "ExifIFD:ISO") is not None:
            self.fail(p, "has an EXIF ISO the manifest does not list")
        eq("flash", pick(md, "ExifIFD:Flash"), e.get("flash"))
        if "orientation" in e:
            eq("orientation", pick(md, "IFD0:Orientation") or 1, e["orientation"])
        if "heif_irot" in e:
            eq("heif_irot", pick(md, "QuickTime:Rotation"), e["heif_irot"])
        if ts == "exif":
            field = e.get("taken_field", "DateTimeOriginal")
            tag = "ExifIFD:DateTimeOriginal" if field == "DateTimeOriginal" else "ExifIFD:CreateDate"
            dt, sub = W.exif_date(e["taken"])
            eq("taken", pick(md, tag), dt)
            if field == "DateTimeOriginal":
                eq("subsec", pick(md, "ExifIFD:SubSecTimeOriginal"), sub)
                eq("offset", pick(md, "ExifIFD:OffsetTimeOriginal"), e.get("offset"))
            else:
                if pick(md, "ExifIFD:DateTimeOriginal"):
                    self.fail(p, "has DateTimeOriginal")
        elif ts == "xmp":
            got = pick(md, "XMP-photoshop:DateCreated" if e.get("taken_field") == "photoshop:DateCreated"
                       else "XMP-xmp:CreateDate")
            eq("taken(xmp)", got, W.exif_date(e["taken"])[0] + (e.get("offset") or ""))
        elif ts == "quicktime":
            if e["gen"].get("keys", {}).get("CreationDate"):
                eq("taken(Keys)", pick(md, "Keys:CreationDate"),
                   W.exif_date(e["taken"])[0] + e["offset"])
            else:
                eq("taken(mvhd)", pick(md, "QuickTime:CreateDate"), W.exif_date(e["taken"])[0])
        elif ts == "matroska":
            eq("taken(mkv)", pick(md, "Info:DateTimeOriginal", "Matroska:DateTimeOriginal"),
               W.exif_date(e["taken"])[0] + "Z")
        elif ts in ("filename", "mtime"):
            for k, v in md.items():
                if k.split(":")[-1] in ("DateTimeOriginal", "CreateDate", "DateCreated", "CreationDate",
                                        "DateTimeDigitized", "ModifyDate", "MediaCreateDate") \
                        and not k.startswith("System:") and not str(v).startswith("0000"):
                    self.fail(p, f"has a date {k}={v} but taken_source is {ts}")
        if ts == "mtime":
            want = epoch(e["taken"] + "Z")
            if int(os.lstat(os.path.join(self.stage, p)).st_mtime) != want:
                self.fail(p, "mtime differs")
        if e.get("gps"):
            lat = pick(md, "Composite:GPSLatitude")
            lon = pick(md, "Composite:GPSLongitude")
            eq("gps.lat", lat, e["gps"]["lat"], 2e-5)
            eq("gps.lon", lon, e["gps"]["lon"], 2e-5)
        elif "real/" in p and pick(md, "Composite:GPSLatitude") not in (None, ""):
            self.fail(p, "has GPS the manifest does not list")
        eq("rating", pick(md, "XMP-xmp:Rating"), e.get("rating"))
        eq("title", pick(md, "XMP-dc:Title", "IPTC:ObjectName"), e.get("title"))
        eq("description", pick(md, "XMP-dc:Description", "IPTC:Caption-Abstract"), e.get("description"))
        if e.get("tags"):
            got = pick(md, "XMP-dc:Subject", "IPTC:Keywords")
            got = [str(x) for x in (got if isinstance(got, list) else [got])]
            if got != e["tags"]:
                self.fail(p, f"tags {got} != {e['tags']}")
        if e.get("content_id"):
            eq("content_id", pick(md, "Apple:ContentIdentifier", "Keys:ContentIdentifier"), e["content_id"])
        elif pick(md, "Apple:ContentIdentifier", "Keys:ContentIdentifier"):
            self.fail(p, "has a ContentIdentifier the manifest does not list")
        if "gpano" in e:
            for k, v in e["gpano"].items():
                eq("GPano:" + k, pick(md, "XMP-GPano:" + k), v)

    def check_motion(self, e, full, md, measured):
        p = e["path"]
        data = open(full, "rb").read()
        n = measured["video_length"]
        if e["motion_format"] == "MotionPhoto":
            for k, v in [("MotionPhoto", 1), ("MotionPhotoVersion", 1),
                         ("MotionPhotoPresentationTimestampUs", e["presentation_timestamp_us"])]:
                if self.pick(md, "XMP-GCamera:" + k) != v:
                    self.fail(p, f"XMP-GCamera:{k} = {self.pick(md, 'XMP-GCamera:' + k)}")
            lengths = self.pick(md, "XMP-GContainer:DirectoryItemLength")
            if not isinstance(lengths, list) or lengths[-1] != n:
                self.fail(p, f"Container item length {lengths} != {n}")
        else:
            if self.pick(md, "XMP-GCamera:MicroVideoOffset") != n:
                self.fail(p, "MicroVideoOffset")
        tmp = full + ".video.mp4"
        open(tmp, "wb").write(data[len(data) - n:])
        info = self.ffprobe(tmp)
        os.unlink(tmp)
        mv = e["motion_video"]
        if not info or abs(float(info["format"]["duration"]) * 1000 - mv["duration_ms"]) > 100:
            self.fail(p, f"embedded video does not probe as {mv}")


# ------------------------------------------------------------------------------- manifest

def exposure_fields(e):
    x = e.get("exposure")
    if x is None:
        return
    n, d = W.rational(x)
    e["exposure_s"] = round(n / d, 9)


def manifest_entries(measured):
    out = []
    for src in spec.ENTRIES:
        e = {k: v for k, v in src.items() if k != "gen"}
        exposure_fields(e)
        if e.get("flash") is not None and "flash_fired" not in e:
            e["flash_fired"] = bool(e["flash"] & 1)
        if "gps" in e:
            e["gps"] = {k: v for k, v in e["gps"].items() if k in ("lat", "lon")}
        e.setdefault("mtime", spec.DEFAULT_MTIME)
        g = src["gen"]
        if g["type"] == "real":
            project, version, archive, lic = spec.SOURCES[g["src"]]
            e["source"] = {"pypi": project, "version": version, "archive": archive,
                           "member": archive.replace(".tar.gz", "").replace(".zip", "") + "/" + g["inner"],
                           "license": lic}
        e["counted"] = e["kind"] != "ignored"
        e.update(measured.get(e["path"], {}))
        out.append({"path": e.pop("path"), "kind": e.pop("kind"), **dict(sorted(e.items()))})
    return out


def summary(entries):
    kinds = [e["kind"] for e in entries if e["counted"]]
    live_files = kinds.count("live")
    assert live_files % 2 == 0
    s = {
        "files": len(kinds),
        "photos": sum(k in ("photo", "pano", "motion") for k in kinds),
        "videos": kinds.count("video"),
        "live": live_files // 2,
        "broken": kinds.count("broken"),
        "motion": kinds.count("motion"),
        "pano360": kinds.count("pano"),
    }
    s["items"] = s["photos"] + s["videos"] + s["live"]
    assert s["items"] == s["files"] - s["broken"] - s["live"]
    return {k: s[k] for k in ("files", "items", "photos", "videos", "live", "broken", "motion", "pano360")}


def manifest(measured):
    entries = manifest_entries(measured)
    return {
        "schema": 1,
        "generated_by": "tests/corpus/build (spec.py + generate.py)",
        "file_definition": spec.FILE_DEFINITION,
        "count_definition": spec.COUNT_DEFINITION,
        "candidate_extensions": {"photo": spec.PHOTO_EXT, "video": spec.VIDEO_EXT},
        "skipped_names": {"prefix": ".", "directories": ["@eaDir", "#recycle"]},
        "summary": summary(entries),
        "fields": spec.FIELDS,
        "card": {"colors": spec.CARD_COLORS,
                 "how": "files with corners=true show the test card: sample the mean colour of a box of 10% x 10% "
                        "of the image centred at 25%/75% of width and height of the upright (displayed) image; "
                        "each channel within 45 of these colours"},
        "defaults": {"mtime": spec.DEFAULT_MTIME,
                     "mtime_note": "every file's mtime is set by the build (UTC); 'taken' from mtime assumes TZ=UTC"},
        "files": entries,
    }


def check_definitions(stage, entries):
    """The file definition applied to the tree must select exactly the counted entries."""
    photo, video = set(spec.PHOTO_EXT), set(spec.VIDEO_EXT)
    found = set()
    for root, dirs, files in os.walk(stage, followlinks=False):
        rel_root = os.path.relpath(root, stage)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("@eaDir", "#recycle")
                   and not os.path.islink(os.path.join(root, d))]
        for f in files:
            full = os.path.join(root, f)
            if f.startswith(".") or os.path.islink(full) or not os.path.isfile(full):
                continue
            ext = f.rsplit(".", 1)[-1].lower() if "." in f else ""
            if ext in photo or ext in video:
                found.add(os.path.normpath(os.path.join(rel_root, f)))
    found.discard("manifest.json")
    want = {e["path"] for e in entries if e["counted"]}
    if found != want:
        raise RuntimeError(f"file definition mismatch: extra {sorted(found - want)}, missing {sorted(want - found)}")


def touch_all(root):
    for e in spec.ENTRIES:
        p = os.path.join(root, e["path"])
        t = epoch(e.get("mtime", spec.DEFAULT_MTIME))
        if os.path.lexists(p):
            os.utime(p, (t, t), follow_symlinks=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--stage")
    ap.add_argument("--dl")
    ap.add_argument("--et13")
    ap.add_argument("--repo-manifest")
    ap.add_argument("--touch-only", action="store_true")
    a = ap.parse_args()
    if a.touch_only:
        touch_all(a.out)
        return
    from PIL import Image, ImageFile
    Image.MAX_IMAGE_PIXELS = 500_000_000  # 200 Mpx HEIC fine; 3.6 Gpx bombs raise
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    import pillow_heif
    pillow_heif.register_heif_opener()

    paths = [e["path"] for e in spec.ENTRIES]
    assert len(paths) == len(set(paths)), "duplicate paths in spec"
    if os.path.exists(a.stage):
        shutil.rmtree(a.stage)
    os.makedirs(a.stage)
    gen = Gen(a.stage, a.dl, a.et13)
    t0 = time.time()
    for e in spec.ENTRIES:
        try:
            gen.make(e)
        except Exception as ex:
            raise RuntimeError(f"generating {e['path']}: {ex}") from ex
    touch_all(a.stage)
    log(f"generated {len(spec.ENTRIES)} entries in {time.time() - t0:.1f}s; checking")

    t1 = time.time()
    chk = Checker(a.stage, a.et13)
    regular = [e["path"] for e in spec.ENTRIES
               if not os.path.islink(os.path.join(a.stage, e["path"])) and e["gen"].get("data", "x") != ""]
    chk.load_exiftool(regular)
    for e in spec.ENTRIES:
        try:
            chk.check(e, gen.measured.get(e["path"], {}))
        except Exception as ex:  # noqa: BLE001
            chk.fail(e["path"], f"checker crashed: {ex!r}")
    man = manifest(gen.measured)
    check_definitions(a.stage, man["files"])
    touch_all(a.stage)  # checks may have touched nothing, but be sure
    if chk.errors:
        for err in chk.errors:
            log("CHECK FAILED " + err)
        raise SystemExit(f"{len(chk.errors)} check(s) failed; corpus not installed")
    log(f"checked in {time.time() - t1:.1f}s: all expectations hold")

    text = json.dumps(man, indent=1, ensure_ascii=False) + "\n"
    # install: replace the top-level folders of OUT atomically enough (same filesystem)
    for top in TOPS:
        dst = os.path.join(a.out, top)
        if os.path.lexists(dst):
            shutil.rmtree(dst)
        os.rename(os.path.join(a.stage, top), dst)
    open(os.path.join(a.out, "manifest.json"), "w").write(text)
    shutil.rmtree(a.stage, ignore_errors=True)
    shutil.rmtree(gen.tmp, ignore_errors=True)
    if a.repo_manifest:
        old = open(a.repo_manifest).read() if os.path.exists(a.repo_manifest) else None
        if old != text:
            try:
                open(a.repo_manifest, "w").write(text)
                log(f"updated {a.repo_manifest} (commit it)")
            except OSError as ex:
                log(f"WARNING: could not update {a.repo_manifest}: {ex}")
    s = man["summary"]
    log("summary: " + ", ".join(f"{k}={v}" for k, v in s.items()))


if __name__ == "__main__":
    main()
