//! A self-contained HTML report of a simulated run: each chain's voting power per validator
//! over time (inline SVG, no scripts, no external assets), the timeline and the summary.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::network::{Network, PowerSample};
use crate::timeline::{clock, TimelineEntry};

const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 260.0;
const MARGIN: f64 = 44.0;
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

pub fn html_report(net: &Network, timeline: &[TimelineEntry], summary: &[String]) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cw-ics simulation</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}\
         h2{{margin-top:1.6em}}table{{border-collapse:collapse;font-size:13px}}\
         td,th{{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}}\
         .legend span{{margin-right:1em;font-size:13px}}svg{{background:#fafafa}}</style>\
         </head><body><h1>cw-ics simulated network</h1><ul>"
    );
    for line in summary {
        let _ = write!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>");

    let end_time = net
        .coordinator
        .chain(&net.provider().chain_id)
        .map(|chain| chain.time().seconds())
        .unwrap_or_default();
    let mut chains: Vec<&str> = vec![net.provider().chain_id.as_str()];
    chains.extend(net.consumers.iter().map(|c| c.spec.chain_id.as_str()));
    let lent = provider_lent_power(net);
    if !lent.is_empty() {
        let _ = write!(
            html,
            "<h2>{} — power the provider lends (its stake ledger's top N, as sent to consumers)</h2>",
            escape(&net.provider().chain_id)
        );
        html.push_str(&power_chart(&lent.iter().collect::<Vec<_>>(), end_time));
    }
    for chain_id in chains {
        let samples: Vec<&PowerSample> = net
            .history
            .iter()
            .filter(|s| s.chain_id == chain_id)
            .collect();
        let what = if chain_id == net.provider().chain_id {
            "its own chain's consensus set (not run by the provider contract)"
        } else {
            "consensus voting power per validator"
        };
        let _ = write!(html, "<h2>{} — {what}</h2>", escape(chain_id));
        html.push_str(&power_chart(&samples, end_time));
    }

    html.push_str("<h2>Timeline</h2><table><tr><th>time</th><th>chain</th><th>height</th><th>what</th><th></th></tr>");
    for entry in timeline {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            clock(entry.time),
            escape(&entry.chain_id),
            entry.height.map_or("-".to_string(), |h| h.to_string()),
            entry.kind.label(),
            escape(&entry.text)
        );
    }
    html.push_str("</table></body></html>\n");
    html
}

/// A step chart: each validator's power holds until the next sample changes it.
fn power_chart(samples: &[&PowerSample], end_time: u64) -> String {
    let Some(first) = samples.first() else {
        return "<p>not launched</p>".to_string();
    };
    let start = first.time.seconds();
    let span = end_time.saturating_sub(start).max(1) as f64;
    let names: BTreeSet<&String> = samples.iter().flat_map(|s| s.powers.keys()).collect();
    let max_power = samples
        .iter()
        .flat_map(|s| s.powers.values())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |t: u64| MARGIN + (t.saturating_sub(start)) as f64 / span * (WIDTH - 2.0 * MARGIN);
    let y = |p: u64| HEIGHT - MARGIN + -(p as f64) / max_power * (HEIGHT - 2.0 * MARGIN);

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">"
    );
    let _ = write!(
        svg,
        "<line x1=\"{MARGIN}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>\
         <line x1=\"{MARGIN}\" y1=\"{MARGIN}\" x2=\"{MARGIN}\" y2=\"{b}\" stroke=\"#999\"/>\
         <text x=\"4\" y=\"{t}\" font-size=\"11\">{max}</text><text x=\"4\" y=\"{b}\" font-size=\"11\">0</text>\
         <text x=\"{MARGIN}\" y=\"{l}\" font-size=\"11\">{c0}</text><text x=\"{r2}\" y=\"{l}\" font-size=\"11\">{c1}</text>",
        b = HEIGHT - MARGIN,
        r = WIDTH - MARGIN,
        t = MARGIN + 4.0,
        l = HEIGHT - MARGIN + 16.0,
        r2 = WIDTH - MARGIN - 40.0,
        max = max_power,
        c0 = clock(first.time),
        c1 = clock(cosmwasm_std::Timestamp::from_seconds(end_time)),
    );
    let mut legend = String::from("<div class=\"legend\">");
    for (index, name) in names.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        let mut points = vec![];
        let mut last: Option<u64> = None;
        for sample in samples {
            let power = sample.powers.get(*name).copied().unwrap_or(0);
            let t = sample.time.seconds();
            if let Some(previous) = last {
                points.push((x(t), y(previous)));
            }
            points.push((x(t), y(power)));
            last = Some(power);
        }
        if let Some(previous) = last {
            points.push((x(end_time), y(previous)));
        }
        let path: Vec<String> = points
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        // Offset each line by a pixel so equal powers stay distinguishable.
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" transform=\"translate(0,{})\" points=\"{}\"><title>{}</title></polyline>",
            -(index as f64) * 1.5,
            path.join(" "),
            escape(name)
        );
        let final_power = samples
            .last()
            .and_then(|s| s.powers.get(*name))
            .copied()
            .unwrap_or(0);
        let _ = write!(
            legend,
            "<span style=\"color:{color}\">■ {} ({final_power})</span>",
            escape(name)
        );
    }
    svg.push_str("</svg>");
    legend.push_str("</div>");
    svg + &legend
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The provider's view over time: the genesis set of its first consumer with a channel, then
/// every VSC sent to that consumer applied in turn (all consumers get the same top N).
fn provider_lent_power(net: &Network) -> Vec<PowerSample> {
    use cw_ics_ccv::{ConsumerGenesis, ValidatorSetChangePacket};
    use cw_ics_ibc_sim::{contract_port, IbcEvent};
    use cw_ics_provider::msg::QueryMsg;

    let Some(consumer) = net
        .consumers
        .iter()
        .find(|c| c.provider == 0 && c.path.is_some())
    else {
        return vec![];
    };
    let Some(path) = &consumer.path else {
        return vec![];
    };
    let Ok(genesis) = net.query_provider::<ConsumerGenesis>(&QueryMsg::ConsumerGenesis {
        consumer_id: consumer.consumer_id,
    }) else {
        return vec![];
    };
    let name = |key: &cw_ics_ccv::PublicKey| net.name_of(key).unwrap_or("?").to_string();
    let mut powers: BTreeMap<String, u64> = genesis
        .initial_validator_set
        .iter()
        .map(|v| (name(&v.pub_key), v.power))
        .collect();
    let launched_at = net
        .history
        .iter()
        .find(|s| s.chain_id == consumer.spec.chain_id && !s.powers.is_empty())
        .map(|s| (s.time, s.height, s.step));
    let Some((time, height, step)) = launched_at else {
        return vec![];
    };
    let mut samples = vec![PowerSample {
        step,
        chain_id: net.provider().chain_id.clone(),
        height,
        time,
        powers: powers.clone(),
    }];
    let provider_port = contract_port(&net.provider().contract);
    for event in net.coordinator.events() {
        let IbcEvent::SendPacket { at, packet } = &event else {
            continue;
        };
        if packet.src.port_id != provider_port || packet.src.channel_id != path.b.channel_id {
            continue;
        }
        let Ok(vsc) = ValidatorSetChangePacket::decode(&packet.data) else {
            continue;
        };
        for update in &vsc.validator_updates {
            if update.power == 0 {
                powers.remove(&name(&update.pub_key));
            } else {
                powers.insert(name(&update.pub_key), update.power);
            }
        }
        samples.push(PowerSample {
            step,
            chain_id: net.provider().chain_id.clone(),
            height: at.height,
            time: at.time,
            powers: powers.clone(),
        });
    }
    samples
}

/// Final power per validator on each chain, for the summary.
pub fn final_sets(net: &Network) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut sets = BTreeMap::new();
    for sample in &net.history {
        sets.insert(sample.chain_id.clone(), sample.powers.clone());
    }
    sets
}
