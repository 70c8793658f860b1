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
