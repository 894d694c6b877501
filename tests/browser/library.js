// The test library: real images and a video from the media corpus (tests/corpus/build, cached in
// ~/.cache/shoebox-corpus), plus copies of one photo dated across ten years with exiftool so
// that the timeline has many days to scroll through and years for the scrubber.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CORPUS = process.env.SHOEBOX_CORPUS_DIR || path.join(os.homedir(), ".cache/shoebox-corpus");
// The recognition corpus (ml/corpus): photos of three known people and a dog, for People and
// Subjects (the PNGs carry their date in the EXIF that exiftool writes, as the JPEGs do).
const ML_CORPUS = process.env.SHOEBOX_ML_CORPUS || path.join(os.homedir(), ".cache/shoebox-ml-corpus");
const FACES = ["obama_1.jpg", "obama_2.jpg", "obama_3.jpg", "obama_aug_small.jpg",
  "biden_1.jpg", "biden_aug_crop.jpg", "biden_aug_dark.jpg", "biden_aug_flip.jpg",
  "tom_hanks_1.png", "tom_hanks_aug_dark.png", "tom_hanks_aug_flip.png", "tom_hanks_aug_rot.png", "none_dog.jpg"];
const SPREAD = 80;

function makeLibrary(dir) {
  if (!fs.existsSync(path.join(CORPUS, "metadata"))) {
    throw new Error(`no media corpus in ${CORPUS}: run tests/corpus/build (./dev setup does)`);
  }
  const personal = path.join(dir, "personal");
  const spread = path.join(personal, "Years");
  fs.mkdirSync(spread, { recursive: true });
  const pick = (sub, names) => names.map((n) => path.join(CORPUS, sub, n)).filter((f) => fs.existsSync(f));
  const originals = [
    ...fs.readdirSync(path.join(CORPUS, "metadata")).filter((n) => n.endsWith(".jpg"))
      .map((n) => path.join(CORPUS, "metadata", n)),
    ...pick("real", ["flower.jpg", "iptc.jpg", "r_canon.jpg", "r_sony.jpg", "r_olympus.jpg", "r_ricoh.jpg"]),
    ...pick("video", ["VID_20200202_101010.mp4"]),
  ];
  for (const f of originals) fs.copyFileSync(f, path.join(personal, path.basename(f)));

  // The kinds the viewer plays or shows its own way, in their own folder: a Live Photo (a JPEG
  // still and its H.264 MOV, one item), a Motion Photo (an MP4 appended to the JPEG) and a 360°
  // panorama (GPano equirectangular, 2:1). The still and the panorama are dated 2012 so that
  // they sort after everything else in the timeline.
  const special = path.join(personal, "Special");
  fs.mkdirSync(special);
  const kinds = [...pick("live", ["IMG_0002.JPG", "IMG_0002.MOV"]),
    ...pick("motion", ["PXL_20230405_060708123.MP.jpg"]), ...pick("pano", ["pano_360.jpg"])];
  for (const f of kinds) fs.copyFileSync(f, path.join(special, path.basename(f)));
  const redate = ["IMG_0002.JPG", "pano_360.jpg"].map((n) => path.join(special, n)).filter((f) => fs.existsSync(f));
  if (redate.length) {
    execFileSync("exiftool", ["-AllDates=2012:03:04 05:06:07", "-overwrite_original", "-q", "-q", ...redate],
      { stdio: ["ignore", "ignore", "inherit"] });
  }
  // `SYNO.Foto.Index get` counts files that are indexed (a Live Photo's video half included),
  // not the items the timeline shows (the pair is one), so the count is of files.
  const specialFiles = kinds.length;

  // Faces (when the recognition corpus is there): three people of four photos each and a dog, in
  // the folder `Faces`, all dated 2011 so that they sort after everything else in the timeline
  // (some have no date, and would otherwise be dated by the copy, on top).
  const faces = FACES.map((n) => path.join(ML_CORPUS, "faces", n)).filter((f) => fs.existsSync(f));
  if (faces.length) {
    const dir = path.join(personal, "Faces");
    fs.mkdirSync(dir);
    const copies = faces.map((f) => path.join(dir, path.basename(f)));
    faces.forEach((f, i) => fs.copyFileSync(f, copies[i]));
    execFileSync("exiftool", ["-AllDates=2011:05:06 07:08:09", "-overwrite_original", "-q", "-q", ...copies],
      { stdio: ["ignore", "ignore", "inherit"] });
  }

  const source = path.join(CORPUS, "real", "flower.jpg");
  const args = [];
  for (let i = 0; i < SPREAD; i += 1) {
    const name = path.join(spread, `spread_${String(i).padStart(3, "0")}.jpg`);
    fs.copyFileSync(source, name);
    // Four photos a day on twenty days, two a year.
    const k = Math.floor(i / 4);
    const year = 2015 + (k % 10);
    const month = 1 + ((k * 7) % 12);
    const day = 1 + ((k * 11) % 28);
    const stamp = `${year}:${String(month).padStart(2, "0")}:${String(day).padStart(2, "0")} ${10 + (i % 4)}:00:00`;
    args.push(`-AllDates=${stamp}`, "-overwrite_original", name, "-execute");
  }
  const argfile = path.join(dir, "exiftool.args");
  fs.writeFileSync(argfile, `${args.join("\n")}\n`);
  execFileSync("exiftool", ["-@", argfile, "-common_args", "-q", "-q"], { stdio: ["ignore", "ignore", "inherit"] });
  fs.rmSync(argfile);

  return {
    personal,
    count: originals.length + SPREAD + specialFiles + faces.length,
    faces: faces.length,
    shared: pick("real", ["r_pana.jpg", "r_casio.jpg", "r_pen.jpg"]),
    upload: path.join(CORPUS, "real", "r_sigma.jpg"),
  };
}

module.exports = { makeLibrary };
