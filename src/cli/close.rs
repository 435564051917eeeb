//! `sidw close` and `sidw reopen`: a quarter's close and its reopening, by whoever the environment
//! says acts (the store checks that they may).

use anyhow::Result;

use super::Env;
use crate::domain::Quarter;
use crate::domain::dutch::count;

/// One network by name, or every network of a region.
pub(super) struct Which {
    pub network: Option<String>,
    pub region: Option<String>,
}

pub(super) fn close(
    env: &mut Env,
    quarter: Quarter,
    which: Which,
    user: Option<&str>,
    acknowledge: bool,
) -> Result<u8> {
    let ctx = env.context(user)?;
    let store = env.open()?;
    // Nothing of another region is shown (the warnings to acknowledge name its networks): a
    // network there is answered as one that does not exist; the store refuses the close itself.
    let networks = match (which.network, which.region) {
        (Some(name), _) => vec![env.network_named(&store, &name)?.id],
        (None, Some(region)) => {
            let region = crate::domain::Region::parse(&region)?;
            env.region_in_scope(region)?;
            crate::store::region_networks(&store, region)?
        }
        (None, None) => anyhow::bail!("noem --network of --region"),
    };
    let acknowledged = if acknowledge {
        let today = chrono::Local::now().date_naive();
        let texts = crate::store::to_acknowledge(&store.close_preview(&networks, quarter, today)?);
        for text in &texts {
            writeln!(env.out, "Erkend: {text}")?;
        }
        texts
    } else {
        Vec::new()
    };
    let batch = store.close_quarter(&ctx, &networks, quarter, &acknowledged)?;
    writeln!(
        env.out,
        "{quarter} afgesloten: batch {} met {}, totaal {}.",
        batch.number,
        count(batch.lines.len(), "betaling", "betalingen"),
        crate::domain::money::format_eur(batch.total())
    )?;
    Ok(0)
}

pub(super) fn reopen(env: &mut Env, quarter: Quarter, network: &str, user: Option<&str>, reason: &str) -> Result<u8> {
    let ctx = env.context(user)?;
    let store = env.open()?;
    let id = env.network_named(&store, network)?.id;
    store.reopen_quarter(&ctx, id, quarter, reason)?;
    writeln!(env.out, "{quarter} van {network} is heropend; de eerdere betaalbatch blijft bewaard.")?;
    Ok(0)
}
