#!/usr/bin/env python3
"""Check the models against the recognition test corpus.

    ml/check.py [--models DIR] [--corpus DIR] [--subjects TSV] [--squash] [--sweep] [--no-faces]

Run it with the venv that ml/setup makes (numpy, onnxruntime, Pillow; dlib-bin when it
installed):   ~/.cache/shoebox-models/.tools/venv/bin/python ml/check.py

Subjects: runs efficientnet-lite0.onnx over every subjects/ photo of the corpus, prints the
top-3 classes and the albums that subjects.tsv (sum of the subject's class probabilities >=
its threshold) puts the photo in, then the precision (assigned albums that are right), the
recall (expected albums that were assigned) and the top-1 hit rate. Exits 1 when any photo
lands in an album that its manifest entry does not allow (entries list known model errors in
"known_wrong": those are counted as wrong in the precision but do not fail the check). --sweep prints precision/recall for
one global threshold from 0.10 to 0.90 (how the thresholds in subjects.tsv were chosen).

Faces (only when `import dlib` works, i.e. PyPI dlib-bin is in the venv): HOG detection (2x
upsampled for small images), 5-point landmarks, 128-d ResNet embeddings; prints face counts
against the manifest, same-person and different-person distances, and exits 1 when a "none"
photo gets a face that matches a known person, or when same/different distances cross 0.6.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
FACE_THRESHOLD = 0.6


def parse_subjects(path):
    subjects = []
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        sid, name, thr, classes = line.rstrip("\n").split("\t")
        idx = set()
        for part in classes.split(","):
            a, _, b = part.partition("-")
            idx.update(range(int(a), int(b or a) + 1))
        if not all(0 <= i < 1000 for i in idx):
            raise SystemExit(f"{path}: class index out of range in {sid}")
        subjects.append({"id": sid, "name": name, "threshold": float(thr), "classes": np.array(sorted(idx))})
    return subjects


def preprocess(path, squash):
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    if not squash:  # short side to 224, centre crop (as the model was trained and evaluated)
        w, h = im.size
        s = 224 / min(w, h)
        im = im.resize((max(224, round(w * s)), max(224, round(h * s))), Image.BILINEAR)
        w, h = im.size
        l, t = (w - 224) // 2, (h - 224) // 2
        im = im.crop((l, t, l + 224, t + 224))
    else:  # the whole photo, squashed to 224x224
        im = im.resize((224, 224), Image.BILINEAR)
    a = (np.asarray(im, dtype=np.float32) - 127.0) / 128.0
    return a.transpose(2, 0, 1)[None]


def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum()


def check_subjects(args, manifest, labels, subjects):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(args.models, "efficientnet-lite0.onnx"), so,
                                providers=["CPUExecutionProvider"])
    by_id = {s["id"]: s for s in subjects}
    entries = [f for f in manifest["files"] if f["path"].startswith("subjects/")]
    for f in entries:
        for s in f["subjects"] + f["also_ok"]:
            if s not in by_id:
                raise SystemExit(f"manifest names subject {s!r}, not in {args.subjects}")
    rows, t_run = [], 0.0
    for f in entries:
        x = preprocess(os.path.join(args.corpus, f["path"]), args.squash)
        t0 = time.perf_counter()
        logits, feat = sess.run(["logits", "feat"], {"input": x})
        t_run += time.perf_counter() - t0
        assert feat.shape == (1, 1280)
        p = softmax(logits[0].astype(np.float64))
        scores = {s["id"]: float(p[s["classes"]].sum()) for s in subjects}
        rows.append((f, p, scores))

    def evaluate(thr_of, verbose):
        assigned_n = right_n = expected_n = found_n = top1_n = top1_total = 0
        wrong = []
        for f, p, scores in rows:
            got = [s for s in scores if scores[s] >= thr_of(s)]
            got.sort(key=lambda s: -scores[s])
            ok = set(f["subjects"]) | set(f["also_ok"])
            bad = [s for s in got if s not in ok]
            miss = [s for s in f["subjects"] if s not in got]
            assigned_n += len(got)
            right_n += len(got) - len(bad)
            expected_n += len(f["subjects"])
            found_n += len(f["subjects"]) - len(miss)
            if f["subjects"]:
                top1_total += 1
                top = int(np.argmax(p))
                top1_n += any(top in by_id[s]["classes"] for s in f["subjects"])
            if bad:
                wrong.append((f["path"], bad, set(bad) <= set(f.get("known_wrong", []))))
            if verbose:
                top3 = " / ".join(f"{labels[i]} {p[i]:.2f}" for i in np.argsort(-p)[:3])
                alb = ", ".join(f"{s} {scores[s]:.2f}" for s in got) or "-"
                flag = ("known error " if set(bad) <= set(f.get("known_wrong", [])) else "WRONG ") + ",".join(bad) if bad else ("miss " + ",".join(miss) if miss else "ok")
                print(f"{f['path'][9:]:22s} {top3:58s} -> {alb:30s} [{flag}]")
        return assigned_n, right_n, expected_n, found_n, top1_n, top1_total, wrong

    if args.sweep:
        print("global threshold sweep (all subjects the same threshold):")
        print("  thr   precision  recall   wrong albums")
        for thr in np.arange(0.10, 0.91, 0.05):
            a, r, e, fnd, _, _, wrong = evaluate(lambda s: thr, False)
            print(f"  {thr:.2f}  {r / max(a, 1):8.3f}  {fnd / max(e, 1):7.3f}   {len(wrong):3d} "
                  + " ".join(f"{p[9:]}:{','.join(b)}" for p, b, _ in wrong))
        print()
    a, r, e, fnd, t1, t1n, wrong = evaluate(lambda s: by_id[s]["threshold"], True)
    print(f"\nsubjects: {len(rows)} photos, {a} albums assigned, precision {r}/{a} = {r / max(a, 1):.3f}, "
          f"recall {fnd}/{e} = {fnd / max(e, 1):.3f} (preprocessing: {'squash' if args.squash else 'centre crop'}), top-1 class in an expected album {t1}/{t1n} = "
          f"{t1 / max(t1n, 1):.3f}; {1000 * t_run / len(rows):.1f} ms per image (1 thread)")
    for p_, b, known in wrong:
        print(f"{'known model error' if known else 'WRONG ALBUM'}: {p_} -> {', '.join(b)}")
    return all(known for *_, known in wrong)


def check_faces(args, manifest):
    try:
        import dlib
    except ImportError:
        print("faces: skipped (no dlib in this Python; PyPI dlib-bin provides it)")
        return True
    det = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(os.path.join(args.models, "shape_predictor_5_face_landmarks.dat"))
    enc = dlib.face_recognition_model_v1(os.path.join(args.models, "dlib_face_recognition_resnet_model_v1.dat"))
    entries = [f for f in manifest["files"] if f["path"].startswith("faces/")]
    embs, ok, t0 = [], True, time.perf_counter()
    count_right = count_known = 0
    for f in entries:
        im = ImageOps.exif_transpose(Image.open(os.path.join(args.corpus, f["path"]))).convert("RGB")
        if max(im.size) > 1200:
            im.thumbnail((1200, 1200), Image.LANCZOS)
        a = np.asarray(im)
        up = 1 if max(im.size) >= 400 else 2
        rects = sorted(det(a, up), key=lambda r: -r.area())
        vecs = [np.array(enc.compute_face_descriptor(a, sp(a, r))) for r in rects]
        if f["faces"] is not None:
            count_known += 1
            count_right += len(rects) == f["faces"]
        sizes = ",".join(f"{r.width()}px" for r in rects)
        print(f"{f['path'][6:]:32s} faces {len(rects)} (expected {f['faces']}) {','.join(f['identities'])} [{sizes}]")
        ids = f["identities"]
        if len(ids) == 1 and ids[0] not in ("unknown", "none") and vecs:
            vecs = vecs[:1]  # a one-person photo: the largest face is the person; others are false hits
        for v in vecs:
            embs.append((f["path"], ids, v))
    known = [(p, i[0], v) for p, i, v in embs if i[0] not in ("unknown", "none") and len(i) == 1]
    same, diff = [], []
    for x in range(len(known)):
        for y in range(x + 1, len(known)):
            if known[x][0] == known[y][0]:
                continue
            d = float(np.linalg.norm(known[x][2] - known[y][2]))
            (same if known[x][1] == known[y][1] else diff).append((d, known[x][0], known[y][0]))
    none_hits = []
    for p, i, v in embs:
        if i == ["none"]:
            best = min((float(np.linalg.norm(v - k[2])), k[1]) for k in known) if known else (9, "")
            none_hits.append((p, best))
    print(f"\nfaces: detected count right in {count_right}/{count_known} photos; "
          f"{time.perf_counter() - t0:.1f}s for {len(entries)} photos")
    if same:
        print(f"same person:      n={len(same)} min {min(same)[0]:.3f} median {np.median([d for d, *_ in same]):.3f} "
              f"max {max(same)[0]:.3f} ({max(same)[1][6:]} vs {max(same)[2][6:]})")
    if diff:
        print(f"different people: n={len(diff)} min {min(diff)[0]:.3f} ({min(diff)[1][6:]} vs {min(diff)[2][6:]}) "
              f"median {np.median([d for d, *_ in diff]):.3f} max {max(diff)[0]:.3f}")
    for p, (d, who) in none_hits:
        print(f"face found in a no-person photo: {p} (nearest known person {who} at {d:.3f})")
        if d < FACE_THRESHOLD:
            print(f"WRONG: {p} would join {who}")
            ok = False
    # only mistakes that a 0.6 threshold makes count as failures; partial faces are listed
    over = [s for s in same if s[0] >= FACE_THRESHOLD]
    under = [s for s in diff if s[0] < FACE_THRESHOLD]
    for d, a_, b_ in over:
        print(f"same person split at {FACE_THRESHOLD}: {a_} vs {b_} {d:.3f}")
    for d, a_, b_ in under:
        print(f"WRONG: different people merged at {FACE_THRESHOLD}: {a_} vs {b_} {d:.3f}")
    return ok and not under


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=os.environ.get("SHOEBOX_MODELS", os.path.expanduser("~/.cache/shoebox-models")))
    ap.add_argument("--corpus", default=os.environ.get("SHOEBOX_ML_CORPUS", os.path.expanduser("~/.cache/shoebox-ml-corpus")))
    ap.add_argument("--subjects", default=os.path.join(HERE, "subjects.tsv"))
    ap.add_argument("--squash", action="store_true", help="squash the whole photo to 224x224 instead of the centre crop")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--no-faces", action="store_true")
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.corpus, "manifest.json")))
    labels = open(os.path.join(HERE, "imagenet-labels.txt"), encoding="utf-8").read().split("\n")[:1000]
    ok = check_subjects(args, manifest, labels, parse_subjects(args.subjects))
    if not args.no_faces:
        print()
        ok = check_faces(args, manifest) and ok
    print("\nRESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
