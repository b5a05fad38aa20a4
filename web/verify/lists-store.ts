// The trust and revocation lists kept on this device, in IndexedDB: a signed revocation list
// may reach 4 MiB once encoded, and localStorage's quota (about 5 MB, counted in UTF-16) is
// below what two lists need. Lists an older version left in localStorage are moved across.
export interface StoredLists {
  trust: unknown;
  revocations: unknown;
  fetchedAt: number;
}

const dbName = 'tessera-verify';
const storeName = 'lists';
const key = 'current';
const legacyKey = 'tessera.lists';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>) {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      const request = act(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** Saves the lists (replacing the ones kept before). */
export async function saveLists(lists: StoredLists): Promise<void> {
  await run('readwrite', (store) => store.put(lists, key));
}

/** The lists kept on this device, or null. */
export async function loadLists(): Promise<StoredLists | null> {
  const legacy = localStorage.getItem(legacyKey);
  if (legacy !== null) {
    try {
      await saveLists(JSON.parse(legacy) as StoredLists);
    } finally {
      localStorage.removeItem(legacyKey);
    }
  }
  const found = await run('readonly', (store) => store.get(key) as IDBRequest<unknown>);
  return found && typeof found === 'object' ? (found as StoredLists) : null;
}
