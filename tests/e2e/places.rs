//! Places and the map over HTTP, from the corpus's geotagged files (positions written by
//! exiftool, read back by the indexer, looked up in the offline GeoNames table): the place tree
//! and its counts, item addresses, the `geocoding_id` scope and filters, a conditional album by
//! place, the map's clusters against the items in the box, a changed position moving an item,
//! and the "Show Dates and Locations" setting.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::support::TestApp;
use crate::support::api::{Library, names};
use crate::support::corpus::{copy, corpus};

const GEO: &str = "SYNO.FotoTeam.Browse.Geocoding";
const MAP: &str = "SYNO.FotoTeam.Browse.Map";
const ITEMS: &str = "SYNO.FotoTeam.Browse.Item";

/// The Shared Space holds one photo per city of the corpus, the (0, 0) of a camera without a
/// fix, a Live Photo and a video; ben's Personal Space one photo of Rio.
async fn world() -> Library {
    let corpus = corpus();
    let app = TestApp::spawn().await;
    app.add_user("anna", "anna-pass-1", true);
    app.add_user("ben", "ben-pass-1", false);
    app.add_user("cleo", "cleo-pass-1", false);
    let shared = app.data_dir().join("photo");
    for (from, to) in [
        ("metadata/gps_paris.jpg", "Trip/paris.jpg"),
        ("metadata/gps_tokyo.jpg", "Trip/tokyo.jpg"),
        ("metadata/gps_sydney.jpg", "Trip/sydney.jpg"),
        ("metadata/gps_newyork.jpg", "Trip/newyork.jpg"),
        ("metadata/gps_rio.jpg", "Trip/rio.jpg"),
        ("metadata/gps_null_island.jpg", "Trip/nowhere.jpg"),
        ("real/xiaomi.heic", "Trip/rostov.heic"),
        ("video/iphone_gps.mov", "Trip/tokyo_clip.mov"),
        ("live/IMG_0001.HEIC", "Live/IMG_0001.HEIC"),
        ("live/IMG_0001.MOV", "Live/IMG_0001.MOV"),
    ] {
        copy(&corpus, from, &shared.join(to));
    }
    let anna = app.login("anna", "anna-pass-1").await;
    let ben = app.login("ben", "ben-pass-1").await;
    let cleo = app.login("cleo", "cleo-pass-1").await;
    copy(
        &corpus,
        "metadata/gps_rio.jpg",
        &app.data_dir().join("homes/ben/Photos/mine.jpg"),
    );
    let lib = Library {
        app,
        anna,
        ben,
        cleo,
    };
    lib.wait_indexed(10, 1).await;
    lib
}

async fn places(lib: &Library, level: &str) -> BTreeMap<String, (i64, Value)> {
    let data = lib
        .ok(
            &lib.anna,
            GEO,
            "list",
            &[
                ("offset", "0"),
                ("limit", "100"),
                ("level", level),
                ("additional", r#"["thumbnail"]"#),
            ],
        )
        .await;
    data["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_owned(),
                (p["item_count"].as_i64().expect("count"), p.clone()),
            )
        })
        .collect()
}

fn counts(map: &BTreeMap<String, (i64, Value)>) -> BTreeMap<&str, i64> {
    map.iter().map(|(k, (n, _))| (k.as_str(), *n)).collect()
}

async fn items_of_place(lib: &Library, id: i64) -> Vec<String> {
    names(
        &lib.items(&lib.anna, ITEMS, &[("geocoding_id", &id.to_string())])
            .await,
    )
}

/// `list_cluster` over a box: (total, sum of the clusters' counts, clusters).
async fn clusters(lib: &Library, b: [f64; 4], zoom: i64) -> (i64, i64, Vec<Value>) {
    let [north, south, east, west] = b.map(|v| v.to_string());
    let data = lib
        .ok(
            &lib.anna,
            MAP,
            "list_cluster",
            &[
                ("north", &north),
                ("south", &south),
                ("east", &east),
                ("west", &west),
                ("zoom", &zoom.to_string()),
                ("additional", r#"["thumbnail"]"#),
            ],
        )
        .await;
    let list = data["list"].as_array().expect("list").clone();
    let sum = list
        .iter()
        .map(|c| c["item_count"].as_i64().expect("count"))
        .sum();
    (data["total"].as_i64().expect("total"), sum, list)
}

async fn in_box(lib: &Library, b: [f64; 4]) -> (i64, Vec<String>) {
    let [north, south, east, west] = b.map(|v| v.to_string());
    let bounds = [
        ("north", north.as_str()),
        ("south", south.as_str()),
        ("east", east.as_str()),
        ("west", west.as_str()),
    ];
    let count = lib.ok(&lib.anna, MAP, "count_item", &bounds).await["count"]
        .as_i64()
        .expect("count");
    let mut params = bounds.to_vec();
    params.extend([("offset", "0"), ("limit", "100")]);
    let list = lib.ok(&lib.anna, MAP, "list_item", &params).await["list"]
        .as_array()
        .expect("list")
        .clone();
    (count, names(&list))
}

#[tokio::test]
async fn places_from_known_positions() {
    let lib = world().await;
    // Nine items; the (0, 0) has no place, the Live Photo counts once.
    lib.wait_placed(GEO, 8).await;

    let countries = places(&lib, "1").await;
    assert_eq!(
        counts(&countries),
        BTreeMap::from([
            ("Australia", 1),
            ("Brazil", 1),
            ("Russian Federation", 1),
            ("France", 2),
            ("Japan", 2),
            ("United States of America", 1),
        ])
    );
    assert_eq!(countries["France"].1["country_code"], "FR");
    assert!(
        countries["Japan"].1["additional"]["thumbnail"]["cache_key"].is_string(),
        "{:?}",
        countries["Japan"]
    );
    let regions = places(&lib, "2").await;
    for (region, n) in [
        ("Ile-de-France", 2),
        ("Tokyo", 2),
        ("New South Wales", 1),
        ("Rio de Janeiro", 1),
        ("Rostov", 1),
    ] {
        assert_eq!(
            regions.get(region).map(|r| r.0),
            Some(n),
            "{region}: {regions:?}"
        );
    }
    // The nearest town of 1,000 people or more (GeoNames cities1000).
    let cities = places(&lib, "3").await;
    for (city, country, n) in [
        ("Tokyo", "Japan", 2),
        ("Rio de Janeiro", "Brazil", 1),
        ("Kirribilli", "Australia", 1),
        ("Neuilly-sur-Seine", "France", 2),
    ] {
        let (count, node) = cities
            .get(city)
            .unwrap_or_else(|| panic!("{city}: {cities:?}"));
        assert_eq!((*count, node["country"].as_str()), (n, Some(country)));
    }
    assert_eq!(
        lib.ok(&lib.anna, GEO, "count", &[("level", "3")]).await["count"],
        cities.len()
    );

    // The tree: the country's children are its regions, theirs the cities.
    let france = countries["France"].1["id"].as_i64().expect("id");
    let children = lib
        .ok(
            &lib.anna,
            GEO,
            "list",
            &[
                ("offset", "0"),
                ("limit", "10"),
                ("parent_id", &france.to_string()),
            ],
        )
        .await;
    assert_eq!(children["list"][0]["name"], "Ile-de-France", "{children}");
    let got = lib
        .ok(&lib.anna, GEO, "get", &[("id", &format!("[{france}]"))])
        .await;
    assert_eq!(got["list"][0]["item_count"], 2);
    assert_eq!(
        lib.code(&lib.anna, GEO, "get", &[("id", "[999999]")]).await,
        642
    );

    // Items by place: a country takes in its cities; the hidden half of the Live Photo stays
    // hidden.
    assert_eq!(
        items_of_place(&lib, france).await,
        ["IMG_0001.HEIC", "paris.jpg"]
    );
    let tokyo_region = regions["Tokyo"].1["id"].as_i64().expect("id");
    assert_eq!(
        items_of_place(&lib, tokyo_region).await,
        ["tokyo.jpg", "tokyo_clip.mov"]
    );
    // Addresses and place ids on the items.
    let listed = lib
        .items(
            &lib.anna,
            ITEMS,
            &[("additional", r#"["address","geocoding_id","gps"]"#)],
        )
        .await;
    let paris = listed
        .iter()
        .find(|i| i["filename"] == "paris.jpg")
        .expect("paris");
    let address = &paris["additional"]["address"];
    assert_eq!(
        (&address["country"], &address["state"], &address["city"]),
        (
            &Value::from("France"),
            &Value::from("Ile-de-France"),
            &Value::from("Neuilly-sur-Seine")
        ),
        "{paris}"
    );
    assert_eq!(address["country_id"], france.to_string());
    assert_eq!(
        paris["additional"]["geocoding_id"],
        cities["Neuilly-sur-Seine"].1["id"]
    );
    let nowhere = listed
        .iter()
        .find(|i| i["filename"] == "nowhere.jpg")
        .expect("nowhere");
    assert_eq!(nowhere["additional"]["geocoding_id"], 0);
    assert_eq!(nowhere["additional"]["address"]["country"], "");

    // Filters: Search.Filter's tree, list_with_filter, keyword search by place name, a
    // conditional album by place.
    let filters = lib
        .ok(&lib.anna, "SYNO.FotoTeam.Search.Filter", "list", &[])
        .await;
    let tree = filters["geocoding"].as_array().expect("tree");
    let fr = tree.iter().find(|n| n["name"] == "France").expect("France");
    assert_eq!(fr["level"], 1);
    assert_eq!(
        fr["children"][0]["children"][0]["name"],
        "Neuilly-sur-Seine"
    );
    let japan = countries["Japan"].1["id"].as_i64().expect("id");
    let counted = lib
        .ok(
            &lib.anna,
            ITEMS,
            "count_with_filter",
            &[("geocoding", &format!("[{japan},{france}]"))],
        )
        .await;
    assert_eq!(counted["count"], 4);
    let found = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Search.Search",
            "list_item",
            &[("keyword", "\"brazil\""), ("offset", "0"), ("limit", "10")],
        )
        .await;
    assert_eq!(names(found["list"].as_array().expect("list")), ["rio.jpg"]);
    let album = lib
        .ok(
            &lib.anna,
            "SYNO.Foto.Browse.ConditionAlbum",
            "create",
            &[
                ("name", "\"Japan\""),
                (
                    "condition",
                    &format!(r#"{{"geocoding":[{japan}],"user_id":0}}"#),
                ),
            ],
        )
        .await["album"]["id"]
        .as_i64()
        .expect("album");
    assert_eq!(
        names(
            &lib.items(&lib.anna, ITEMS, &[("album_id", &album.to_string())])
                .await
        ),
        ["tokyo.jpg", "tokyo_clip.mov"]
    );

    // The timeline's places per day.
    let days = lib
        .ok(
            &lib.anna,
            "SYNO.FotoTeam.Browse.Timeline",
            "get_geocoding",
            &[],
        )
        .await;
    let named: usize = days["list"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["geocoding"].as_array().expect("places").len())
        .sum();
    assert!(named >= 6, "{days}");

    // Spaces stay apart: ben sees only his own Rio photo, and no Shared Space place.
    let bens = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Geocoding",
            "list",
            &[("offset", "0"), ("limit", "10"), ("level", "1")],
        )
        .await;
    assert_eq!(bens["list"].as_array().expect("list").len(), 1, "{bens}");
    assert_eq!(bens["list"][0]["name"], "Brazil");
    assert_eq!(bens["list"][0]["item_count"], 1);
    assert_eq!(
        lib.code(&lib.ben, GEO, "list", &[("offset", "0"), ("limit", "10")])
            .await,
        105
    );
}

#[tokio::test]
async fn map_clusters_add_up_to_the_items_in_the_box() {
    let lib = world().await;
    lib.wait_placed(GEO, 8).await;
    const WORLD: [f64; 4] = [85.0, -85.0, 180.0, -180.0];
    // Every zoom of the whole world: the clusters hold every mapped item once ((0, 0) is not
    // on the map).
    for zoom in [0, 2, 4, 6] {
        let (total, sum, list) = clusters(&lib, WORLD, zoom).await;
        assert_eq!((total, sum), (8, 8), "zoom {zoom}: {list:?}");
        for c in &list {
            assert!(c["additional"]["thumbnail"]["cache_key"].is_string(), "{c}");
        }
    }
    assert_eq!(in_box(&lib, WORLD).await.0, 8);
    // At zoom 6 Paris and its Live Photo are one cluster, placed to within a zoom-12 tile (the
    // per-tile counts answer at this zoom).
    let (_, _, list) = clusters(&lib, WORLD, 6).await;
    let paris = list
        .iter()
        .find(|c| c["item_count"] == 2 && c["longitude"].as_f64().expect("number") < 10.0)
        .expect("Paris cluster");
    assert!(
        (paris["latitude"].as_f64().expect("number") - 48.858).abs() < 0.1,
        "{paris}"
    );
    // At zoom 14 the items themselves place it.
    let (_, _, list) = clusters(&lib, [48.9, 48.8, 2.4, 2.2], 14).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        (list[0]["latitude"].as_f64().expect("number") - 48.85837).abs() < 0.0001,
        "{list:?}"
    );
    assert!(
        (list[0]["longitude"].as_f64().expect("number") - 2.294481).abs() < 0.0001,
        "{list:?}"
    );

    // Boxes that cut zoom-12 tiles, at low and high zoom, and one across the date line: the
    // clusters add up to what count_item and list_item find in the box.
    let europe = [60.0, 40.0, 10.0, -5.0];
    let tokyo = [35.70, 35.60, 139.80, 139.70];
    let pacific = [60.0, -60.0, -30.0, 100.0];
    let times_square = [40.7581, 40.7579, -73.9854, -73.9856];
    for (b, zoom, expected) in [
        (europe, 3, vec!["IMG_0001.HEIC", "paris.jpg"]),
        (tokyo, 12, vec!["tokyo.jpg", "tokyo_clip.mov"]),
        // A box inside one zoom-12 tile at a low zoom: that tile is read item by item.
        (
            [48.86, 48.857, 2.296, 2.293],
            4,
            vec!["IMG_0001.HEIC", "paris.jpg"],
        ),
        (tokyo, 16, vec!["tokyo.jpg", "tokyo_clip.mov"]),
        (
            pacific,
            2,
            vec![
                "newyork.jpg",
                "rio.jpg",
                "sydney.jpg",
                "tokyo.jpg",
                "tokyo_clip.mov",
            ],
        ),
        (times_square, 22, vec!["newyork.jpg"]),
        ([10.0, -10.0, 10.0, -10.0], 4, vec![]),
    ] {
        let (count, listed) = in_box(&lib, b).await;
        let (total, sum, list) = clusters(&lib, b, zoom).await;
        assert_eq!(listed, expected, "{b:?}");
        assert_eq!(
            (count, total, sum),
            (
                expected.len() as i64,
                expected.len() as i64,
                expected.len() as i64
            ),
            "{b:?} zoom {zoom}: {list:?}"
        );
    }

    let no_zoom = [
        ("north", "10"),
        ("south", "0"),
        ("east", "1"),
        ("west", "0"),
    ];
    assert_eq!(
        lib.code(&lib.anna, MAP, "list_cluster", &no_zoom).await,
        114
    );

    // A position that changes moves the item: New York's photo goes to Sydney.
    lib.sql(
        "UPDATE items SET latitude = -33.8568, longitude = 151.2153 WHERE filename = 'newyork.jpg'",
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let countries = places(&lib, "1").await;
        if countries.get("Australia").map(|c| c.0) == Some(2) {
            assert!(!countries.contains_key("United States of America"));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{countries:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(in_box(&lib, [-33.0, -34.0, 152.0, 151.0]).await.0, 2);
    assert_eq!(clusters(&lib, WORLD, 1).await.0, 8);

    // A deleted item leaves its tile: the totals drop and every cluster still has a cover,
    // at the zooms read from the tile counts and at those read from the items.
    let rio = lib.id_of(&lib.anna, ITEMS, "rio.jpg").await;
    let sydney = lib.id_of(&lib.anna, ITEMS, "sydney.jpg").await;
    lib.ok(
        &lib.anna,
        ITEMS,
        "delete",
        &[("id", &format!("[{rio},{sydney}]"))],
    )
    .await;
    for zoom in [1, 12] {
        let b = if zoom == 1 {
            WORLD
        } else {
            [-33.0, -34.0, 152.0, 151.0]
        };
        let (total, sum, list) = clusters(&lib, b, zoom).await;
        assert_eq!(
            (total, sum),
            (if zoom == 1 { 6 } else { 1 }, total),
            "{list:?}"
        );
        for c in &list {
            assert!(c["additional"]["thumbnail"]["cache_key"].is_string(), "{c}");
        }
    }

    // Bad boxes are refused.
    for params in [
        vec![
            ("north", "10"),
            ("south", "20"),
            ("east", "1"),
            ("west", "0"),
            ("zoom", "3"),
        ],
        vec![
            ("north", "95"),
            ("south", "20"),
            ("east", "1"),
            ("west", "0"),
            ("zoom", "3"),
        ],
        vec![
            ("north", "10"),
            ("south", "0"),
            ("east", "1"),
            ("west", "0"),
            ("zoom", "30"),
        ],
        vec![
            ("north", "NaN"),
            ("south", "0"),
            ("east", "1"),
            ("west", "0"),
            ("zoom", "3"),
        ],
        vec![
            ("north", "80"),
            ("south", "-80"),
            ("east", "180"),
            ("west", "-180"),
            ("zoom", "20"),
        ],
    ] {
        assert_eq!(
            lib.code(&lib.anna, MAP, "list_cluster", &params).await,
            120,
            "{params:?}"
        );
    }
}

#[tokio::test]
async fn hiding_dates_and_locations() {
    let lib = world().await;
    lib.wait_placed(GEO, 8).await;
    let setting = "SYNO.Foto.Setting.User";
    assert_eq!(
        lib.ok(&lib.anna, setting, "get", &[]).await["show_date_location"],
        true
    );
    lib.ok(
        &lib.anna,
        setting,
        "set",
        &[("show_date_location", "false")],
    )
    .await;
    assert_eq!(
        lib.ok(&lib.anna, setting, "get", &[]).await["show_date_location"],
        false
    );
    let listed = lib
        .items(
            &lib.anna,
            ITEMS,
            &[(
                "additional",
                r#"["address","geocoding_id","gps","resolution"]"#,
            )],
        )
        .await;
    for item in &listed {
        let extra = &item["additional"];
        assert!(
            extra.get("gps").is_none()
                && extra.get("address").is_none()
                && extra.get("geocoding_id").is_none(),
            "{item}"
        );
        assert!(extra.get("resolution").is_some());
    }
    assert!(places(&lib, "1").await.is_empty());
    assert_eq!(clusters(&lib, [85.0, -85.0, 180.0, -180.0], 0).await.0, 0);
    // Another user's setting is theirs: ben still sees his place.
    let bens = lib
        .ok(
            &lib.ben,
            "SYNO.Foto.Browse.Geocoding",
            "count",
            &[("level", "1")],
        )
        .await;
    assert_eq!(bens["count"], 1);
    lib.ok(&lib.anna, setting, "set", &[("show_date_location", "true")])
        .await;
    assert_eq!(places(&lib, "1").await.len(), 6);
    assert_eq!(
        lib.code(
            &lib.anna,
            setting,
            "set",
            &[("show_date_location", "\"maybe\"")]
        )
        .await,
        120
    );
}
