// Photos made small before they are sent (issue 31, docs/security.md). Short: page budget.
(() => {
  const made = new WeakSet(), pending = new WeakMap();
  if (!window.createImageBitmap || !HTMLFormElement.prototype.requestSubmit) return;
  const size = (b) => {
    if (b < 1048576) return Math.ceil(b / 1024) + ' KB';
    const t = Math.ceil(b / 104857.6);
    return `${Math.floor(t / 10)},${t % 10} MB`;
  };
  const isPhoto = (f) => /^image\//i.test(f.type) || /\.(jpe?g|png|hei[cf])$/i.test(f.name);

  async function shrink(file) {
    try {
      const img = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const k = Math.min(1, 2000 / Math.max(img.width, img.height));
      const c = document.createElement('canvas');
      c.width = Math.round(img.width * k) || 1;
      c.height = Math.round(img.height * k) || 1;
      const g = c.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, c.width, c.height);
      g.imageSmoothingQuality = 'high';
      g.drawImage(img, 0, 0, c.width, c.height);
      img.close();
      const blob = await new Promise((done) => c.toBlob(done, 'image/jpeg', 0.85));
      if (!blob || blob.size >= file.size) return file;
      const name = /\.jpe?g$/i.test(file.name) ? file.name : file.name.replace(/(\.\w*)?$/, '.jpg');
      return new File([blob], name, { type: 'image/jpeg' });
    } catch (e) {
      return file; // Not decodable here (HEIC, damaged).
    }
  }

  async function chosen(input) {
    const files = [...input.files];
    if (!files.some(isPhoto) || files.every((f) => made.has(f))) return;
    const id = input.id + '-ukuran';
    let note = document.getElementById(id);
    if (!note) {
      input.insertAdjacentHTML('afterend', `<p id="${id}" class="photo-size" aria-live="polite"></p>`);
      note = input.nextSibling;
    }
    note.textContent = 'Foto sedang diperkecil\u2026';
    const out = await Promise.all(files.map((f) => (isPhoto(f) ? shrink(f) : f)));
    note.textContent = '';
    const sum = (list) => list.reduce((n, f) => n + f.size, 0);
    if (input.files[0] !== files[0] || sum(out) >= sum(files)) return;
    const dt = new DataTransfer();
    for (const f of out) made.add(f) && dt.items.add(f);
    input.files = dt.files;
    note.textContent = `Foto diperkecil: ${size(sum(files))} \u2192 ${size(sum(out))}.`;
  }

  addEventListener('change', (e) => {
    const input = e.target, form = input.form;
    if (input.type !== 'file' || !/image|jpe?g|png/.test(input.accept) || !form) return;
    const all = Promise.all([pending.get(form), chosen(input).catch(() => {})]);
    pending.set(form, all);
    all.then(() => pending.get(form) === all && pending.delete(form));
  });

  // A submit waits (15 s at most), then goes again in a task of its own.
  addEventListener('submit', (e) => {
    const form = e.target, work = pending.get(form);
    if (!work) return;
    e.preventDefault();
    if (work.waiting) return;
    work.waiting = true;
    const send = () => setTimeout(() => (pending.delete(form), form.requestSubmit(e.submitter)));
    Promise.race([work, new Promise((r) => setTimeout(r, 15000))]).then(send, send);
  });
})();
