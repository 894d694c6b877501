#!/usr/bin/env python3
"""Make the recognition test corpus from the downloaded packages (called by ml/corpus).

    corpus_build.py --dl DL --debs DEBROOT --out OUT

Every source image is cut out of a pinned package and checked against its own sha256 below
(so an arm64 darknet .deb gives the same files). Augmented copies are made with Pillow and are
deterministic for a given Pillow version. Files are written to OUT/.stage, then moved into
OUT/faces and OUT/subjects; OUT/manifest.json says what each file must give.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import tarfile
import zipfile

from PIL import Image, ImageEnhance, ImageOps

# ---- sources -------------------------------------------------------------------------------
# key -> (archive kind, archive file in DL or folder under DEBROOT, package, version, license)
SOURCES = {
    "fr": ("tar", "face_recognition-1.3.0.tar.gz", "PyPI face_recognition", "1.3.0", "MIT"),
    "ins": ("tar", "insightface-2.1.tar.gz", "PyPI insightface", "2.1", "MIT (code; sample images as shipped)"),
    "sk": ("zip", "scikit_image-0.26.0-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
           "PyPI scikit-image", "0.26.0", "BSD-3-Clause (see skimage/data/README for each image)"),
    "pil": ("tar", "pillow-13.0.0.tar.gz", "PyPI Pillow", "13.0.0", "MIT-CMU"),
    "heif": ("tar", "pillow_heif-1.8.1.tar.gz", "PyPI pillow-heif", "1.8.1", "BSD-3-Clause"),
    "fa": ("tar", "vladmandic-face-api-1.7.15.tgz", "npm @vladmandic/face-api", "1.7.15", "MIT"),
    "dk": ("dir", "darknet", "Debian darknet", "0.0.0+git20180914.61c9d02e-2", "GPL-3.0+ or MIT or WTFPL (Debian copyright)"),
    "cv": ("dir", "opencv-doc", "Debian opencv-doc", "4.6.0+dfsg-12", "Apache-2.0 / BSD-3-Clause (Debian copyright)"),
}
CV = "usr/share/doc/opencv-doc/examples/data/"
DK = "usr/share/darknet/data/"

# image id -> (source key, member path); each member's sha256 is pinned in ml/corpus.sha256
IMAGES = {}


def img(i, src, member, _=None):
    IMAGES[i] = (src, member, None)


img("obama", "fr", "face_recognition-1.3.0/tests/test_images/obama.jpg", None)
img("obama2", "fr", "face_recognition-1.3.0/tests/test_images/obama2.jpg", None)
img("obama3", "fr", "face_recognition-1.3.0/tests/test_images/obama3.jpg", None)
img("obama_partial_face", "fr", "face_recognition-1.3.0/tests/test_images/obama_partial_face.jpg", None)
img("obama_partial_face2", "fr", "face_recognition-1.3.0/tests/test_images/obama_partial_face2.jpg", None)
img("biden", "fr", "face_recognition-1.3.0/tests/test_images/biden.jpg", None)
img("tom_hanks", "ins", "insightface-2.1/insightface/data/images/Tom_Hanks_54745.png", None)
img("t1", "ins", "insightface-2.1/insightface/data/images/t1.jpg", None)
for n in range(1, 7):
    img(f"faceapi_sample{n}", "fa", f"package/demo/sample{n}.jpg", None)
for n in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
          "motorcycle_right.png", "page.png", "camera.png"):
    img("sk_" + n.split(".")[0], "sk", "skimage/data/" + n, None)
for n in ("dog", "eagle", "giraffe", "horses", "kite", "person", "scream"):
    img("dk_" + n, "dk", DK + n + ".jpg", None)
for n in ("fruits", "apple", "orange", "butterfly", "building", "messi5", "baboon", "squirrel_cls",
          "starry_night", "home", "leuvenA", "aero1", "aero3", "sudoku.png", "text_defocus",
          "licenseplate_motion"):
    stem, ext = (n.split(".") + ["jpg"])[:2]
    img("cv_" + stem, "cv", CV + stem + "." + ext, None)
img("pil_flower", "pil", "pillow-13.0.0/Tests/images/flower.jpg", None)
img("pil_flower2", "pil", "pillow-13.0.0/Tests/images/flower2.jpg", None)
img("heif_pug", "heif", "pillow_heif-1.8.1/tests/images/heif_other/pug.heic", None)
img("heif_pug2", "heif", "pillow_heif-1.8.1/tests/images/heif_other/empty_icc.heic", None)
img("heif_bird", "heif", "pillow_heif-1.8.1/tests/images/heif_other/nokia/bird_burst.heic", None)
img("heif_pen", "heif", "pillow_heif-1.8.1/tests/images/heif_special/xiaomi.heic", None)

# sha256 of each source member (pinned; filled from a first run and checked on every build)
SHA = {}
if os.path.exists(os.path.join(os.path.dirname(__file__), "corpus.sha256")):
    for line in open(os.path.join(os.path.dirname(__file__), "corpus.sha256")):
        if line.strip() and not line.startswith("#"):
            h, i = line.split()
            SHA[i] = h

# ---- faces/ ----------------------------------------------------------------------------------
# (out name, image id, identities, face count or None when unknown, note)
FACES = [
    ("obama_1.jpg", "obama", ["obama"], 1, ""),
    ("obama_2.jpg", "obama2", ["obama"], 1, ""),
    ("obama_3.jpg", "obama3", ["obama"], 1, ""),
    ("obama_partial_1.jpg", "obama_partial_face", ["obama"], 1, "face cut by the frame"),
    ("obama_partial_2.jpg", "obama_partial_face2", ["obama"], 1, "face cut by the frame"),
    ("biden_1.jpg", "biden", ["biden"], 1, ""),
    ("tom_hanks_1.png", "tom_hanks", ["tom_hanks"], 1, "112x112 aligned crop"),
    ("astronaut_1.png", "sk_astronaut", ["eileen_collins"], 1, "the mission patch fools HOG"),
    ("group_t1.jpg", "t1", ["unknown"], 6, "6 people around a table"),
    ("group_faceapi_1.jpg", "faceapi_sample1", ["unknown"], 3, ""),
    ("group_faceapi_2.jpg", "faceapi_sample2", ["unknown"], 3, "faces turned down"),
    ("group_faceapi_3.jpg", "faceapi_sample3", ["unknown"], 3, ""),
    ("group_faceapi_4.jpg", "faceapi_sample4", ["unknown"], 4, ""),
    ("group_faceapi_5.jpg", "faceapi_sample5", ["unknown"], 5, ""),
    ("group_faceapi_6.jpg", "faceapi_sample6", ["unknown"], 4, ""),
    ("small_face_messi5.jpg", "cv_messi5", ["unknown"], 1, "~40 px face: needs upsampling"),
    ("cameraman.png", "sk_camera", ["unknown"], 1, "grayscale, face in profile"),
    ("none_dog.jpg", "dk_dog", ["none"], 0, ""),
    ("none_cat.png", "sk_chelsea", ["none"], 0, ""),
    ("none_coffee.png", "sk_coffee", ["none"], 0, ""),
    ("none_rocket.jpg", "sk_rocket", ["none"], 0, ""),
    ("none_pug.jpg", "heif_pug", ["none"], 0, "decoded from HEIC"),
    ("none_baboon.jpg", "cv_baboon", ["none"], 0, "a primate face: must not become a person"),
    ("none_scream.jpg", "dk_scream", ["none"], 0, "painted face (Munch): no person"),
]
# augmented copies so that every known person has at least 4 photos
# (out name, base image id, identity, operation)
AUGMENT = [
    ("biden", "biden", ["flip", "crop", "dark", "rot"]),
    ("tom_hanks", "tom_hanks", ["flip", "dark", "rot"]),
    ("eileen_collins", "sk_astronaut", ["flip", "crop", "small"]),
    ("obama", "obama", ["small", "rot"]),
]

# ---- subjects/ -------------------------------------------------------------------------------
# (out name, image id, expected subject ids, also acceptable, note[, known model errors])
SUBJECTS = [
    ("dog.jpg", "dk_dog", ["dog", "animal"], ["bicycle", "car"], "dog, bicycle and a truck"),
    ("pug.jpg", "heif_pug", ["dog", "animal"], [], "iPhone HEIC"),
    ("pug2.jpg", "heif_pug2", ["dog", "animal"], [], "iPhone HEIC"),
    ("eagle.jpg", "dk_eagle", ["bird", "animal"], [], ""),
    ("bird_burst.jpg", "heif_bird", ["bird", "animal"], [], "Nokia HEIC"),
    ("giraffe.jpg", "dk_giraffe", ["wildlife", "animal"], [], "giraffe and zebra"),
    ("horses.jpg", "dk_horses", ["horse", "animal"], ["wildlife"], "ImageNet has one horse class"),
    ("person_dog_horse.jpg", "dk_person", ["animal"], ["dog", "horse", "wildlife"], "person, dog and horse"),
    ("cat.png", "sk_chelsea", ["cat", "animal"], [], ""),
    ("baboon.jpg", "cv_baboon", ["wildlife", "animal"], [], ""),
    ("squirrel.jpg", "cv_squirrel_cls", ["wildlife", "animal"], [], ""),
    ("butterfly.jpg", "cv_butterfly", ["insect", "animal"], ["flower"], ""),
    ("kite_beach.jpg", "dk_kite", ["beach"], [], "people flying kites on a beach"),
    ("coffee.png", "sk_coffee", ["food"], [], ""),
    ("fruits.jpg", "cv_fruits", ["food"], [], ""),
    ("apple.jpg", "cv_apple", ["food"], [], ""),
    ("orange.jpg", "cv_orange", ["food"], [], ""),
    ("rocket.jpg", "sk_rocket", ["plane"], [], "rocket on its launch pad"),
    ("motorcycle_left.png", "sk_motorcycle_left", ["bicycle"], ["car"], ""),
    ("motorcycle_right.png", "sk_motorcycle_right", ["bicycle"], ["car"], ""),
    ("car_plate.jpg", "cv_licenseplate_motion", ["car"], [], "motion-blurred car"),
    ("building.jpg", "cv_building", ["building"], [], ""),
    ("home.jpg", "cv_home", ["building"], [], ""),
    ("leuven.jpg", "cv_leuvenA", ["building"], [], "street of old brick houses"),
    ("valley_aerial.jpg", "cv_aero3", [], ["mountain", "building", "beach"], "aerial photo"),
    ("city_aerial.jpg", "cv_aero1", [], ["mountain", "building", "beach"], "aerial photo of a town"),
    ("flower.jpg", "pil_flower", ["flower"], [], "frangipani: not an ImageNet class"),
    ("flower2.jpg", "pil_flower2", ["flower"], [], "heather: not an ImageNet class",
     ["animal", "insect"]),  # known model error: EfficientNet sees butterflies in it
    ("soccer.jpg", "cv_messi5", ["sport"], [], "football match"),
    ("page.png", "sk_page", ["document"], [], "scanned book page"),
    ("sudoku.png", "cv_sudoku", ["document"], [], "printed sudoku"),
    ("text_photo.jpg", "cv_text_defocus", ["document"], [], "photo of printed text"),
    ("pen.jpg", "heif_pen", [], ["document"], "pen on squared paper"),
    ("astronaut.png", "sk_astronaut", [], ["plane"], "portrait: no subject album"),
    ("cameraman.png", "sk_camera", [], [], "portrait: no subject album"),
    ("scream.jpg", "dk_scream", [], [], "painting: no subject album"),
    ("starry_night.jpg", "cv_starry_night", [], [], "painting: no subject album"),
    ("group.jpg", "t1", [], ["sport"], "people at a card table"),
]
MAX_SIDE = 1600  # HEICs are decoded and scaled to this long side


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Sources:
    def __init__(self, dl, debs):
        self.dl, self.debs, self.open = dl, debs, {}

    def read(self, key):
        src, member, _ = IMAGES[key]
        kind, arc = SOURCES[src][:2]
        if kind == "dir":
            with open(os.path.join(self.debs, arc, member), "rb") as f:
                return f.read()
        if arc not in self.open:
            p = os.path.join(self.dl, arc)
            self.open[arc] = tarfile.open(p) if kind == "tar" else zipfile.ZipFile(p)
        a = self.open[arc]
        if kind == "tar":
            return a.extractfile(member).read()
        return a.read(member)


def load(data, member):
    if member.endswith(".heic"):
        import pillow_heif
        pillow_heif.register_heif_opener()
    im = Image.open(io.BytesIO(data))
    im = ImageOps.exif_transpose(im)
    return im


def augment(im, op):
    im = im.convert("RGB")
    w, h = im.size
    if op == "flip":
        return ImageOps.mirror(im)
    if op == "crop":  # keep the middle 80 %
        return im.crop((w // 10, h // 10, w - w // 10, h - h // 10))
    if op == "dark":
        return ImageEnhance.Brightness(im).enhance(0.55)
    if op == "small":
        return im.resize((max(1, w // 2), max(1, h // 2)), Image.LANCZOS)
    if op == "rot":
        return im.rotate(8, resample=Image.BICUBIC, expand=False, fillcolor=(128, 128, 128))
    raise ValueError(op)


def save(im, path, fmt):
    buf = io.BytesIO()
    if fmt == "JPEG":
        im.convert("RGB").save(buf, "JPEG", quality=90)
    else:
        im.save(buf, "PNG")
    data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dl", required=True)
    ap.add_argument("--debs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--print-sha", action="store_true", help="print the members' sha256 and exit")
    a = ap.parse_args()
    src = Sources(a.dl, a.debs)

    raw = {k: src.read(k) for k in IMAGES}
    if a.print_sha:
        for k in IMAGES:
            print(sha256(raw[k]), k)
        return 0
    bad = [k for k in IMAGES if SHA.get(k) != sha256(raw[k])]
    if bad:
        raise SystemExit(f"source images do not match ml/corpus.sha256: {bad}")

    stage = os.path.join(a.out, ".stage")
    shutil.rmtree(stage, ignore_errors=True)
    for d in ("faces", "subjects"):
        os.makedirs(os.path.join(stage, d))
    files = []

    def source_info(k):
        s, member, _ = IMAGES[k]
        _, arc, pkg, ver, lic = SOURCES[s]
        return {"package": pkg, "version": ver, "member": member, "license": lic}

    def put(rel, k, op=None):
        member = IMAGES[k][1]
        ext = os.path.splitext(rel)[1].lower()
        if op is None and not member.endswith(".heic") and os.path.splitext(member)[1].lower() == ext:
            data = raw[k]  # the original bytes, untouched
            with open(os.path.join(stage, rel), "wb") as f:
                f.write(data)
            im = load(data, member)
        else:
            im = load(raw[k], member)
            if member.endswith(".heic"):
                im = im.convert("RGB")
                im.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
            if op:
                im = augment(im, op)
            data = save(im, os.path.join(stage, rel), "JPEG" if ext in (".jpg", ".jpeg") else "PNG")
        e = {"path": rel, "sha256": sha256(data), "bytes": len(data), "width": im.size[0], "height": im.size[1],
             "source": source_info(k)}
        if op:
            e["augmented"] = op
        return e

    for name, k, ids, count, note in FACES:
        e = put("faces/" + name, k)
        e.update(identities=ids, faces=count)
        if note:
            e["note"] = note
        files.append(e)
    for ident, k, ops in AUGMENT:
        base = next(f for f in FACES if f[1] == k)
        ext = os.path.splitext(base[0])[1]
        for op in ops:
            e = put(f"faces/{ident}_aug_{op}{ext}", k, op)
            e.update(identities=[ident], faces=1)
            files.append(e)
    for name, k, exp, ok, note, *known in SUBJECTS:
        e = put("subjects/" + name, k)
        e.update(subjects=exp, also_ok=ok)
        if known:
            e["known_wrong"] = known[0]
        if note:
            e["note"] = note
        files.append(e)

    people = {}
    for f in files:
        for i in f.get("identities", []):
            if i not in ("unknown", "none"):
                people[i] = people.get(i, 0) + 1
    short = {p: n for p, n in people.items() if n < 4}
    if short:
        raise SystemExit(f"fewer than 4 photos for {short}")
    manifest = {
        "what": "Shoebox recognition test corpus (made by ml/corpus; tests only, never shipped)",
        "faces": {"identities": "known people by id; 'unknown' = people whose identity is not labelled; "
                                "'none' = no human face (must never become a person)",
                  "faces": "number of human faces in the photo (null when not known)",
                  "photos_per_person": dict(sorted(people.items()))},
        "subjects": {"subjects": "subject ids of ml/subjects.tsv the photo must be in",
                     "also_ok": "subjects that are also right for the photo (not counted as wrong)",
                     "known_wrong": "wrong subjects that EfficientNet-Lite0 is known to give for the photo "
                                    "(counted as wrong in the precision, but do not fail ml/check.py)"},
        "sources": {k: {"package": v[2], "version": v[3], "license": v[4]} for k, v in SOURCES.items()},
        "files": files,
    }
    with open(os.path.join(stage, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for d in ("faces", "subjects"):
        shutil.rmtree(os.path.join(a.out, d), ignore_errors=True)
        os.rename(os.path.join(stage, d), os.path.join(a.out, d))
    os.replace(os.path.join(stage, "manifest.json"), os.path.join(a.out, "manifest.json"))
    shutil.rmtree(stage)
    nf = sum(1 for f in files if f["path"].startswith("faces/"))
    print(f"[ml-corpus] {nf} face photos ({dict(sorted(people.items()))}), {len(files) - nf} subject photos")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
