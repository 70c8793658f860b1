// Small helpers the dashboard calls from the server.
window.clickInsights = {
    // Remembers a choice (the workspace shown) for a year, for every page of the site.
    remember: (name, value) => {
        document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
    },
};

// The skip link moves focus to the page's content (Blazor would otherwise treat "#main" as a page of its own).
document.addEventListener('click', event => {
    const link = event.target.closest && event.target.closest('a[data-skip-to]');
    if (link) {
        event.preventDefault();
        const target = document.getElementById(link.dataset.skipTo);
        if (target) {
            target.focus();
            target.scrollIntoView();
        }
    }
}, true);

// Chart text readable at every width: the charts draw in their own units (700 × 350) scaled to their box, so their text
// shrinks with the box. Each chart's text size is set in those units so that it is drawn at 12 px on screen, again
// whenever the chart's box changes size (a window resized, the menu opened or closed).
(() => {
    const drawnPx = 12;
    const fit = svg => {
        // The scale the chart is drawn at (its width or its height may set it: the drawing keeps its proportions).
        const m = svg.getScreenCTM();
        const scale = m ? Math.hypot(m.a, m.b) : 0;
        if (scale > 0) {
            svg.style.setProperty('--chart-text', `${Math.min(24, Math.max(6, drawnPx / scale)).toFixed(1)}px`);
        }
    };
    const sizes = new ResizeObserver(entries => entries.forEach(entry => fit(entry.target)));
    const watched = new WeakSet();
    const watch = () => {
        for (const svg of document.querySelectorAll('.chart-figure svg[viewBox]')) {
            if (!watched.has(svg)) {
                watched.add(svg);
                sizes.observe(svg);
            }
            fit(svg);
        }
    };
    let queued = false;
    new MutationObserver(() => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; watch(); }); } })
        .observe(document.documentElement, { childList: true, subtree: true });
    watch();
})();

// "/" puts the cursor in the top bar's search box, from anywhere but a field being typed in. In a list of search
// results the arrow keys move between results (Enter opens one, as for any link); down from a search box goes to the first.
document.addEventListener('keydown', event => {
    const target = event.target;
    const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        const box = document.getElementById('site-search');
        if (box) {
            event.preventDefault();
            box.focus();
            box.select();
        }
        return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') {
        return;
    }
    const results = Array.from(document.querySelectorAll('[data-results] a[data-result]'));
    if (results.length === 0) {
        return;
    }
    const at = results.indexOf(target);
    if (at >= 0) {
        event.preventDefault();
        const next = event.key === 'ArrowDown' ? Math.min(results.length - 1, at + 1) : at - 1;
        (next >= 0 ? results[next] : document.getElementById('page-search'))?.focus();
    } else if (event.key === 'ArrowDown' && target && target.type === 'search') {
        event.preventDefault();
        results[0].focus();
    }
});
