cw_ics_entry::exports! {
    instantiate => crate::contract::instantiate,
    execute => crate::contract::execute,
    query => crate::contract::query,
    sudo => crate::contract::sudo,
    migrate => crate::contract::migrate,
}
