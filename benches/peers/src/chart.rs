//! The bar chart (SVG) of each peer's values as a ratio of aerolite's.

use crate::engines;
use crate::report::{human, rows, Results, Row, RunInfo};
use plotters::prelude::*;
use std::path::Path;

fn color(i: usize) -> RGBColor {
    const COLORS: [RGBColor; 5] = [
        RGBColor(214, 39, 40),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(255, 127, 14),
        RGBColor(148, 103, 189),
    ];
    COLORS[i % COLORS.len()]
}

/// Smallest and largest ratio drawn as such.
const FLOOR: f64 = 0.01;
const CAP: f64 = 30.0;

/// A grouped bar chart of every value as a ratio of aerolite's (log scale).
pub fn chart(results: &Results, info: &RunInfo, path: &Path) {
    draw(results, info, path).expect("draw the chart");
}

fn draw(results: &Results, info: &RunInfo, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let rows: Vec<Row> = rows(info.records)
        .into_iter()
        .filter(|r| !r.short.is_empty())
        .collect();
    let engines = results.len();
    let ratios: Vec<Vec<Option<f64>>> = (0..engines)
        .map(|e| rows.iter().map(|r| results.ratio(e, r.key)).collect())
        .collect();
    // Ratios are drawn between FLOOR and CAP: a bar at FLOOR is a stub (the
    // axis starts below it), a bar cut at CAP carries its value as a label
    // (the axis goes on above CAP to leave room for them).
    let lo = FLOOR / 3.0;
    let hi = CAP * 8.0;
    let root = SVGBackend::new(path, (1100, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{} records: each engine's value / aerolite's (log scale, lower is better)",
                human(info.records)
            ),
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..rows.len() as f64 - 0.5, (lo..hi).log_scale())?;
    let labels: Vec<&str> = rows.iter().map(|r| r.short).collect();
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
            labels[i as usize].to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(rows.len() + 1)
        .x_label_formatter(&label_of)
        .y_desc("ratio to aerolite")
        .y_label_formatter(&|y| format!("{y}"))
        .label_style(("sans-serif", 13))
        .draw()?;
    let width = 0.8 / engines as f64;
    for (e, engine_ratios) in ratios.iter().enumerate() {
        let c = color(e);
        let bars = engine_ratios.iter().enumerate().filter_map(|(i, r)| {
            let r = (*r)?.clamp(FLOOR, CAP);
            let x0 = i as f64 - 0.4 + e as f64 * width;
            Some(Rectangle::new(
                [(x0, lo), (x0 + width * 0.9, r)],
                c.filled(),
            ))
        });
        chart
            .draw_series(bars)?
            .label(engines::label(results.name(e)))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        let cut = engine_ratios.iter().enumerate().filter_map(|(i, r)| {
            let r = (*r).filter(|r| *r > CAP)?;
            let x = i as f64 - 0.4 + (e as f64 + 0.45) * width;
            let y = CAP * 1.15 * 1.6f64.powi(e as i32 % 3);
            let style = TextStyle::from(("sans-serif", 11).into_font())
                .color(&c)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Bottom,
                ));
            Some(Text::new(format!("{r:.0}×"), (x, y), style))
        });
        chart.draw_series(cut)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    root.present()?;
    Ok(())
}
