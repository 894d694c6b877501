"""The peer of bench/recognition: Shoebox's recognition pipeline in Python, with the same models.

Per photo, as Shoebox does it (indexer/src/thumbnail, indexer/src/recognition, docs/recognition.md):

  stage A (the thumbnail's share, timed apart, not part of the ratios): decode the 12 MP JPEG at
    1/2 scale (Pillow's draft mode, the DCT scaling Shoebox's turbojpeg decode uses), scale to
    the xl size (short side 1280, bilinear) and encode it as JPEG q82, kept in memory;
  subjects: decode the xl JPEG, short side to 224 (bilinear), centre 224 x 224,
    (x - 127) / 128, EfficientNet-Lite0 through ONNX Runtime on one thread, softmax, the
    subjects of ml/subjects.tsv whose classes add up to their threshold;
  faces: the xl picture to 1000 pixels on its long side (bilinear), dlib's HOG detector (no
    upsampling), each face checked by dlib's CNN detector on a crop around it (padding 0.6 x the
    face, the face scaled to 90 pixels), 5-point landmarks and the 128-d ResNet embedding (no
    jitter) of the faces kept.

Shoebox decodes the xl thumbnail once per photo for both kinds: here that decode is counted
with the subjects, as a Shoebox run with subjects only pays it too.

Prints one JSON object: counts, CPU and wall seconds per part, and memory (VmHWM after stage A,
before the models, and at the end; VmRSS after loading the models).

usage: python recognition_peer.py MODELS_DIR SUBJECTS_TSV FILE...
"""

import io
import json
import os
import sys
import time

import dlib
import numpy as np
import onnxruntime as ort
from PIL import Image

XL_SHORT = 1280
DETECT_LONG = 1000
SIDE = 224
CHECK_FACE_PX = 90.0


def status_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Clock:
    """CPU (the whole process: dlib and ONNX Runtime may use threads) and wall seconds."""

    def __init__(self):
        self.cpu = self.wall = 0.0

    def __enter__(self):
        self.c0, self.w0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu += time.process_time() - self.c0
        self.wall += time.perf_counter() - self.w0


def parse_subjects(path):
    subjects = []
    for line in open(path):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        key, _name, thr, classes = [c.strip() for c in line.split("\t")]
        idx = []
        for part in classes.split(","):
            part = part.strip()
            if part:
                a, _, b = part.partition("-")
                idx.extend(range(int(a), int(b or a) + 1))
        subjects.append((key, float(thr), np.array(idx)))
    return subjects


def thumbnail_xl(path):
    im = Image.open(path)
    w, h = im.size
    im.draft("RGB", (w // 2, h // 2))
    im = im.convert("RGB")
    short = min(w, h)
    size = (round(w * XL_SHORT / short), round(h * XL_SHORT / short))
    im = im.resize(size, Image.BILINEAR)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=82)
    return out.getvalue()


def classify(session, subjects, im):
    w, h = im.size
    short = max(1, min(w, h))
    sw = max(SIDE, -(-w * SIDE // short))
    sh = max(SIDE, -(-h * SIDE // short))
    im = im.resize((sw, sh), Image.BILINEAR)
    l, t = (sw - SIDE) // 2, (sh - SIDE) // 2
    im = im.crop((l, t, l + SIDE, t + SIDE))
    x = ((np.asarray(im, dtype=np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None]
    logits = session.run(["logits"], {"input": np.ascontiguousarray(x)})[0][0]
    e = np.exp(logits - logits.max())
    p = e / e.sum()
    return [key for key, thr, idx in subjects if p[idx].sum() >= thr]


def find_faces(models, im):
    hog, cnn, landmarks, encoder = models
    w, h = im.size
    scale = min(DETECT_LONG / max(w, h), 1.0)
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    if (sw, sh) != (w, h):
        im = im.resize((sw, sh), Image.BILINEAR)
    a = np.asarray(im)
    kept = []
    for r in hog(a, 0):
        r = dlib.rectangle(min(max(r.left(), 0), sw - 1), min(max(r.top(), 0), sh - 1),
                           min(max(r.right(), 0), sw - 1), min(max(r.bottom(), 0), sh - 1))
        if r.width() < 8 or r.height() < 8:
            continue
        side = max(r.width(), r.height())
        pad = side * 0.6
        x0, y0 = int(max(r.left() - pad, 0)), int(max(r.top() - pad, 0))
        x1, y1 = min(int(r.right() + pad), sw), min(int(r.bottom() + pad), sh)
        if x1 <= x0 + 8 or y1 <= y0 + 8:
            continue
        k = CHECK_FACE_PX / side
        crop = im.crop((x0, y0, x1, y1))
        small = crop.resize((max(16, round(crop.width * k)), max(16, round(crop.height * k))),
                            Image.BILINEAR)
        if len(cnn(np.asarray(small), 0)) > 0:
            kept.append(r)
    if not kept:
        return 0
    shapes = dlib.full_object_detections()
    for r in kept:
        shapes.append(landmarks(a, r))
    encodings = encoder.compute_face_descriptor(a, shapes, 0)
    assert len(encodings) == len(kept) and len(encodings[0]) == 128
    return len(kept)


def main():
    models_dir, subjects_tsv, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    subjects = parse_subjects(subjects_tsv)
    thumbs, stage_a = [], Clock()
    for f in files:
        with stage_a:
            thumbs.append(thumbnail_xl(f))
    hwm_before_models = status_kb("VmHWM")
    rss_before_models = status_kb("VmRSS")
    load = Clock()
    with load:
        m = lambda name: os.path.join(models_dir, name)  # noqa: E731
        face_models = (
            dlib.get_frontal_face_detector(),
            dlib.cnn_face_detection_model_v1(m("mmod_human_face_detector.dat")),
            dlib.shape_predictor(m("shape_predictor_5_face_landmarks.dat")),
            dlib.face_recognition_model_v1(m("dlib_face_recognition_resnet_model_v1.dat")),
        )
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        session = ort.InferenceSession(m("efficientnet-lite0.onnx"), so,
                                       providers=["CPUExecutionProvider"])
    rss_models = status_kb("VmRSS")
    subj, faces_clock = Clock(), Clock()
    n_faces = n_subject_hits = n_with_faces = 0
    per_photo = []
    for f, xl in zip(files, thumbs):
        with subj:
            im = Image.open(io.BytesIO(xl)).convert("RGB")
            hits = classify(session, subjects, im)
        with faces_clock:
            n = find_faces(face_models, im)
        n_faces += n
        n_with_faces += n > 0
        n_subject_hits += len(hits)
        per_photo.append({"file": os.path.basename(f), "faces": n, "subjects": hits})
    json.dump({
        "photos": len(files),
        "faces": n_faces,
        "photos_with_faces": n_with_faces,
        "subject_assignments": n_subject_hits,
        "thumbnail_cpu_s": stage_a.cpu, "thumbnail_wall_s": stage_a.wall,
        "load_cpu_s": load.cpu, "load_wall_s": load.wall,
        "subjects_cpu_s": subj.cpu, "subjects_wall_s": subj.wall,
        "faces_cpu_s": faces_clock.cpu, "faces_wall_s": faces_clock.wall,
        "hwm_before_models_kb": hwm_before_models,
        "rss_before_models_kb": rss_before_models,
        "rss_models_loaded_kb": rss_models,
        "hwm_end_kb": status_kb("VmHWM"),
        "versions": {"dlib": dlib.__version__, "onnxruntime": ort.__version__,
                     "numpy": np.__version__, "Pillow": Image.__version__},
        "per_photo": per_photo,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
